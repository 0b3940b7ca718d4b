#pragma once

#include <QtGlobal>

namespace cachescope::redismemory {

// What one string key costs a Redis 7.0 server (64-bit, jemalloc) in used_memory, the figure
// maxmemory is compared with (redis › src/evict.c getMaxmemoryState @ 7.0.15). Checked against a
// live server's MEMORY USAGE and used_memory in tst_capacityredis:
//   main dict entry   sizeof(dictEntry) = 24, allocated in jemalloc's 32-byte class
//   key               sds copy (db.c dbAdd: sdsdup): header 1/3/5/9 bytes (len < 32 / 256 / 64 Ki / 4 Gi) + len + 1
//   value             len <= 44: one "embstr" allocation of robj (16) + sdshdr8 (3) + len + 1;
//                     longer: robj (16) + an sds of header 3/5/9 + len + 1 (object.c createStringObject)
//   expiry            a second 32-byte dictEntry in db->expires when the key has a TTL
// each allocation rounded up to its jemalloc size class. MEMORY USAGE (object.c memoryCommand)
// reports the same minus 8 (it counts sizeof(dictEntry), not its allocation) and without the
// expiry entry. The hash tables themselves add 8 bytes per bucket (tableBytes).
quint64 jemallocSize(quint64 n);
quint64 sdsAllocation(quint64 length, bool keyCopy);
quint64 entryBytes(quint64 keySize, quint64 valueSize, bool hasTtl);
// What MEMORY USAGE KEY reports for such a key (for tests and the documentation above).
quint64 memoryUsageReport(quint64 keySize, quint64 valueSize);
// A dict's bucket array for `keys` entries: 8 bytes x the power of two the table grew to
// (it grows when full, dict.c _dictExpandIfNeeded; 0 for a dict never used).
quint64 tableBytes(quint64 keys);

} // namespace cachescope::redismemory
