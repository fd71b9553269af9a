// Cosmos DB for NoSQL, serverless, Entra ID only (local/key auth disabled).
param name string
param location string
param tags object
param databaseName string

var leaseContainerName = 'leases'

// defaultTtl: omitted = TTL off (documents never expire); -1 = TTL on without a default, so a
// document expires only if it carries its own `ttl`.
var containers = [
  {
    // One partition per conversation (`pk` = its id): the conversation header (title, version,
    // participantCount, membershipEpoch), one participant document per member (role, joinedAt,
    // read position) and its change records, written in one transactional batch (decision 0010);
    // claims of direct pairs and tasks are partitions of their own. TTL on without a default (-1):
    // change records and soft-deleted conversations carry their own `ttl`.
    name: 'conversations'
    partitionKey: '/pk'
    defaultTtl: -1
    // Read by id (point reads, ReadMany, the change feed); one query finds deleted conversations
    // whose purge is unfinished (type, deleted, purge.phase); the participant documents of one
    // partition are listed by role and in join order (type, role, joinedAt, userId; composite
    // joinedAt ASC, userId ASC); users' presence documents (partitions `presence:{userId}`) are
    // found by the presence sweeper when their nextCheckAt has passed. Nothing else is indexed.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        {
          path: '/type/?'
        }
        {
          path: '/deleted/?'
        }
        {
          path: '/purge/phase/?'
        }
        {
          path: '/role/?'
        }
        {
          path: '/joinedAt/?'
        }
        {
          path: '/userId/?'
        }
        {
          path: '/nextCheckAt/?'
        }
      ]
      excludedPaths: [
        {
          path: '/*'
        }
      ]
      compositeIndexes: [
        [
          {
            path: '/joinedAt'
            order: 'ascending'
          }
          {
            path: '/userId'
            order: 'ascending'
          }
        ]
      ]
    }
  }
  {
    // One document per user per conversation: a user's conversation list, newest activity first,
    // and unread counts.
    name: 'memberships'
    partitionKey: '/userId'
    defaultTtl: null
    // Only what the queries use: WHERE userId AND large ORDER BY updatedAt DESC, id DESC (id is always
    // indexed); `large` splits small groups (ordered by their own activity) from large ones (decision 0010).
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        {
          path: '/userId/?'
        }
        {
          path: '/updatedAt/?'
        }
        {
          path: '/large/?'
        }
      ]
      excludedPaths: [
        {
          path: '/*'
        }
      ]
      compositeIndexes: [
        [
          {
            path: '/updatedAt'
            order: 'descending'
          }
          {
            path: '/id'
            order: 'descending'
          }
        ]
      ]
    }
  }
  {
    // Messages, the per-conversation sequence counter, idempotency claims and change records. Keyset
    // paging: WHERE c.conversationId = @c AND c.sequence < @s ORDER BY c.sequence DESC (and ASC for
    // catch-up). TTL on without a default (-1): change records carry their own `ttl`.
    name: 'messages'
    partitionKey: '/conversationId'
    defaultTtl: -1
    // Only what the queries filter and sort on; text, attachments and change records are never queried.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        {
          path: '/conversationId/?'
        }
        {
          path: '/type/?'
        }
        {
          path: '/sequence/?'
        }
        {
          path: '/senderId/?'
        }
        {
          path: '/deletedAt/?'
        }
        {
          path: '/replyToId/?'
        }
        {
          path: '/reactsTo/?'
        }
        {
          path: '/reactor/?'
        }
      ]
      excludedPaths: [
        {
          path: '/*'
        }
      ]
      compositeIndexes: [
        [
          {
            path: '/conversationId'
            order: 'ascending'
          }
          {
            path: '/sequence'
            order: 'descending'
          }
        ]
        [
          {
            path: '/conversationId'
            order: 'ascending'
          }
          {
            path: '/sequence'
            order: 'ascending'
          }
        ]
      ]
    }
  }
  {
    // Attachment records. TTL on without a default (-1): an upload that is never attached to a
    // message can be given a per-document `ttl` and expire on its own.
    name: 'attachments'
    partitionKey: '/id'
    defaultTtl: -1
    // Read by id, and queried by conversation when a conversation is deleted.
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        {
          path: '/conversationId/?'
        }
      ]
      excludedPaths: [
        {
          path: '/*'
        }
      ]
    }
  }
  {
    // Change feed processor leases (managed by the processor; they carry no `ttl`, so they never
    // expire) and the change feed's dead letters ("deadletter.*", each with its own `ttl`):
    // TTL on without a default (docs/decisions/0007-hosted-change-feed-processor.md).
    name: leaseContainerName
    partitionKey: '/id'
    defaultTtl: -1
    indexingPolicy: {
      indexingMode: 'consistent'
      automatic: true
      includedPaths: [
        {
          path: '/*'
        }
      ]
      excludedPaths: [
        {
          path: '/"_etag"/?'
        }
      ]
    }
  }
]

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: [
      {
        name: 'EnableServerless'
      }
    ]
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for c in containers: {
    parent: database
    name: c.name
    properties: {
      resource: union(
        {
          id: c.name
          partitionKey: {
            paths: [
              c.partitionKey
            ]
            kind: 'Hash'
            version: 2
          }
          indexingPolicy: c.indexingPolicy
        },
        c.defaultTtl == null ? {} : { defaultTtl: c.defaultTtl }
      )
    }
  }
]

output name string = account.name
output id string = account.id
output endpoint string = account.properties.documentEndpoint
output leaseContainerName string = leaseContainerName
