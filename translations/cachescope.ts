<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" sourcelanguage="en">
<context>
    <name>QObject</name>
    <message>
        <source>The embedded demo config cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The embedded demo cannot start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Embedded demo · results backend in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot connect to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved window settings skipped: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>… %1 more bytes not shown
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not a saved state (a %2); ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is not a settings file CacheScope can read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its format is &quot;%1&quot;, not CacheScope&apos;s %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings file %1 cannot be read; CacheScope starts with its defaults and may not be able to save them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings file %1 is ignored: %2. It could not be moved aside either, so settings are not saved this time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings file %1 is ignored: %2. It was kept as %3; CacheScope starts with its defaults.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not a window geometry; ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not a window state of this version; ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not a splitter state; ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not a column state for this view; ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no such page (%2); ignored</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::AboutDialog</name>
    <message>
        <source>About CacheScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CacheScope icon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h2&gt;CacheScope %1&lt;/h2&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What Apache Superset&apos;s Flask-Caching caches hold, whether they hit, and why.&lt;br&gt;Reads superset_config.py without running it; opens caches read-only; decodes entries without executing pickles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy versions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For a bug report</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::CacheOverviewModel</name>
    <message>
        <source>Superset metadata (CACHE_CONFIG)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart data (DATA_CACHE_CONFIG)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dashboard filter state (FILTER_STATE_CACHE_CONFIG)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Explore form data (EXPLORE_FORM_DATA_CACHE_CONFIG)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dashboard and chart thumbnails (THUMBNAIL_CACHE_CONFIG)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SQL Lab results backend (RESULTS_BACKEND)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Async query results (GLOBAL_ASYNC_QUERIES_CACHE_BACKEND)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>counting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live entries, counted by a key scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n second(s); 0 means entries never expire</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Embedded layer (exact): %1 hits of %2 reads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>used_memory of the whole Redis server (INFO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>keyspace hits / (hits + misses) of the whole Redis server over the last interval (INFO; server-wide)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CACHE_DEFAULT_TIMEOUT: how long an entry lives when set without a timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server/db or directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key prefix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Misses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server hit rate</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::ConfigPage</name>
    <message>
        <source>Open config…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No config loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache / setting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Line</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is %2 bytes, more than a config file can be (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluating %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open superset_config.py</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Python files (*.py);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be loaded: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 (never expires)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not in the file)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unset (default %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unset</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::ConfigSession</name>
    <message>
        <source>Config</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not shown: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Config %1 (read-only)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::DemoControlsPanel</name>
    <message>
        <source>Demo controls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes apply to the running demo at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the demo&apos;s configured settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simulated users, each sending a request every %1 ms on average</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zipf exponent of chart popularity: 0 = every chart equally popular; higher = a few charts get most views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How long a chart&apos;s data stays in the Data cache (0 = never expires); applies to data cached from now on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CACHE_THRESHOLD of the Data cache: above it, cachelib prunes entries. The demo has %1 charts with a few filter variants each. Changing it rebuilds the Data cache (empty, counters at zero).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a SimpleCache or FileSystemCache Data cache has a threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Popularity &amp;skew</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart &amp;timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data cache t&amp;hreshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No Data cache in this demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data cache, last %1 s:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>measuring…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no reads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; hits · %2 reads/s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::HitRateFeed</name>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No Redis server is polled: MONITOR needs one (open a config or connect to a Redis URL)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::HitRatePage</name>
    <message>
        <source>Time window of the charts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Freeze the charts; samples keep being collected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart as PNG, PDF or CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click a legend entry to hide a line; hover the chart for values.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Window:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rate %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hits/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Misses/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sets/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rate (%)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operations per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No cache selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redis server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No Redis server polled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>memory: –</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evictions/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expirations/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ops/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commands per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image (*.png);;PDF document (*.pdf);;CSV data (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>memory %1 of %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>memory %1 (no maxmemory limit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>evictions %1/s · expirations %2/s · %3 ops/s · %4 keys (%5 with a TTL)%6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · counters were reset (restart or CONFIG RESETSTAT)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::HitRateSeries</name>
    <message>
        <source>Cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exactness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Counted by the embedded cache layer at every call.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redis INFO: all clients and databases of the server together.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Superset&apos;s own statsd counters for the chart data cache.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From MONITOR: a read followed by a write of the same key counts as a miss.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::KeyTreeModel</name>
    <message>
        <source>Key browser full (4 GiB of key names, 134M keys, or a name over 64 KiB); narrow the filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TTL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>namespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1* — %2 keys loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;1s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::KeysBrowser</name>
    <message>
        <source>Connect to Redis URL…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open cache directory…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click the selected connection again to scan it afresh.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SimpleCache · in-process</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>FileSystemCache · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RedisCache · %1 · prefix %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · keys cannot be listed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ad hoc · no prefix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ad hoc · prefix %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cache directory · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to Redis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. superset_data_ (empty: every key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection opens read-only. Writes stay confined to the prefix.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key prefix:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open cache directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the cache directory: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys: no connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>writes enabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read-only</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::KeysPage</name>
    <message>
        <source>Load all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter: a glob such as *chart* (SCAN MATCH), or an exact key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy value as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export selection as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export selection as JSON…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set TTL…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove TTL (never expire)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a key to see its value.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set TTL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expire in seconds:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;%2 stored bytes%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> — key %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;no longer exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No key %1 in %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 deleted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done: %1 key(s) affected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No cache selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exact key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 keys (all loaded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 keys loaded, more on scroll or Load all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> — MATCH %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> — sorted: loaded keys only, new keys are appended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enable writes on %1?
Deletes and TTL changes stay inside the key prefix &quot;%2&quot; and each one asks again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlocked: writes enabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked: read-only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deletes and TTL changes are enabled for %1 (confined to prefix &quot;%2&quot;). Click to lock again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writes are off for this connection. Click to enable deletes and TTL changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is read-only: click the padlock to enable writes for this connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete every key matching %1* in %2? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n key(s) from %1? This cannot be undone.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Set the TTL of %n key(s) to %1?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Make %n key(s) never expire?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cachescope::MainWindow</name>
    <message>
        <source>CacheScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No caches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open config…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a superset_config.py (read, never run)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recent &amp;configs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;payload…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decode a dumped cache entry or cache file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect to &amp;Redis URL…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Saved connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open cache &amp;directory…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record samples…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop recording</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay recording…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop replay (back to live)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Costs the server or opens a port: started deliberately from the menu (Alt+S).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimate per-cache hit rates with MONITOR…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop MONITOR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen for Superset statsd metrics…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop statsd listener</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>INFO %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — CacheScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the payload %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache entries (*);;Dumped entries (*.bin *.pickle *.pkl)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot record to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recorded %1 samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CacheScope recordings (*.sqlite)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot replay %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replaying %1 at %2×</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replaying %1 at full speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay recording</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CacheScope recordings (*.sqlite);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replay speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Times real time (0 = as fast as possible):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run MONITOR?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MONITOR time box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seconds to sample (at most 3600):</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>MONITOR runs on %n server(s) for %1 s; per-cache rates are estimated.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>statsd listener</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listen on (Superset&apos;s STATS_LOGGER sends here):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forward every datagram to (your real statsd, empty for none):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open superset_config.py</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Python files (*.py);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 reads · hit rate %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no reads yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the selected rows (tab-separated) or text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find keys…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter the keys of the selected connection (SCAN MATCH)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the keys of the selected connection again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;toolbar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A setting changed once; the window remembers it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About CacheScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened rarely: Alt+H, A.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened rarely: Alt+H, Q.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+1..9 are taken by the first nine pages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Numbered: Alt+F, C, then the number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · prefix %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password for %1:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot connect to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Numbered: Alt+F, S, then the number.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::MessageBar</name>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::OverviewPage</name>
    <message>
        <source>Caches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 caches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 reads, %2 writes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>overall hit rate %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 errors</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::PayloadTreeModel</name>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::PayloadView</name>
    <message>
        <source>Copy value as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export table as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save raw bytes…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoding %1 bytes…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer %1: %2, offset %3, %4 bytes %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 layers, Superset %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2×%3 (cannot render)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save raw bytes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
