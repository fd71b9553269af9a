#!/usr/bin/env python3
"""Print each failed test of the given TRX files with its message and the top of its stack trace,
so that the end of a CI log says which test failed and why."""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}

for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as error:
        print(f"could not read {path}: {error}")
        continue
    for result in root.iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") != "Failed":
            continue
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", default="", namespaces=NS)
        stack = result.findtext("t:Output/t:ErrorInfo/t:StackTrace", default="", namespaces=NS)
        for line in message.strip().splitlines()[:20]:
            print(f"    {line}")
        for line in stack.strip().splitlines()[:12]:
            print(f"    {line}")
        stdout = result.findtext("t:Output/t:StdOut", default="", namespaces=NS)
        tail = stdout.strip().splitlines()[-15:]
        if tail:
            print("    --- last lines of the test's output ---")
            for line in tail:
                print(f"    {line}")
