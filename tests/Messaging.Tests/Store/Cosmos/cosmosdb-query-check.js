// Runs the queries the Cosmos DB double evaluated through @zeit/cosmosdb-query, an independent
// Cosmos SQL engine, and prints every case whose results differ (exit code 1 when any does).
// Input (file named by argv[2]): [{ query, parameters: [{ name, value }], documents, expected, ordered }].
// Without ORDER BY the two engines may return rows in different orders, so those compare as multisets.
"use strict";
const fs = require("fs");
const query = require("@zeit/cosmosdb-query").default;

const canonical = (value) => JSON.stringify(value, (_, v) =>
  v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v);

const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const mismatches = [];
for (const c of cases) {
  let actual;
  try {
    actual = query(c.query).exec(c.documents, { parameters: c.parameters }).result;
  } catch (error) {
    mismatches.push({ query: c.query, error: String(error && error.message || error) });
    continue;
  }
  const a = actual.map(canonical);
  const e = c.expected.map(canonical);
  if (!c.ordered) {
    a.sort();
    e.sort();
  }
  if (JSON.stringify(a) !== JSON.stringify(e)) {
    mismatches.push({ query: c.query, parameters: c.parameters, expected: c.expected, actual });
  }
}
process.stdout.write(JSON.stringify({ checked: cases.length, mismatches }));
process.exit(mismatches.length > 0 ? 1 : 0);
