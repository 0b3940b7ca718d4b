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
    <message>
        <source>Timeouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: not a time window of the Hit rates page (%2); ignored</source>
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
    <message>
        <source>%1
No answer from the server since %2: this is the last value from before.</source>
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
    <message>
        <source>Config</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What a superset_config.py really configures: its source, the caches it resolves to, the doctor&apos;s findings and the environment variables it reads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Config source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolved caches</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Findings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unset environment variables</source>
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
    <message>
        <source>Knobs of the embedded demo&apos;s workload; changes apply at once</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data cache hit rate, last seconds</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::GuidedTour</name>
    <message>
        <source>&lt;b&gt;Are my caches hitting?&lt;/b&gt; One row per Superset cache — chart data, filter state, explore form data, thumbnails, SQL Lab results — with live hits, misses and the hit rate.&lt;br&gt;&lt;br&gt;Try it: the demo&apos;s knobs at the bottom drive a synthetic workload. Raise &lt;i&gt;Users&lt;/i&gt; or lower &lt;i&gt;Skew&lt;/i&gt; and watch the bars move.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;What is in a cache?&lt;/b&gt; Pick a connection on the left; its keys group by namespace and load as you scroll. Select a key to decode its value layer by layer — pickles are read, never run.&lt;br&gt;&lt;br&gt;Every connection opens read-only; the padlock unlocks writes for one connection after asking.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;When did it stop hitting?&lt;/b&gt; The chart follows the selected cache over the chosen time window, with hits, misses and sets per second.&lt;br&gt;&lt;br&gt;Try it: lower the demo&apos;s &lt;i&gt;Timeout&lt;/i&gt; or &lt;i&gt;Threshold&lt;/i&gt; and the rate responds within seconds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;What does my superset_config.py really configure?&lt;/b&gt; The demo&apos;s config, read without running it, the caches it resolves to and the doctor&apos;s findings; select a finding to see its line.&lt;br&gt;&lt;br&gt;Open your own with File → Open config (Ctrl+O).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;How long do entries live?&lt;/b&gt; Each cache&apos;s default timeout and the databases, datasets and charts that override it, with the rule that picked the timeout a chart really gets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guided tour — CacheScope</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guided tour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ends the tour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shows the next page</source>
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
    <message>
        <source>%1 does not collect per-prefix statistics, so its caches show server-wide hit rates only. Per-cache rates need `stats detail on` on the server and key prefixes that end in its -D delimiter (&apos;%2&apos;).</source>
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
    <message>
        <source>&amp;Window:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hit rates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When did it stop hitting: hit rates per cache over time, and the Redis server&apos;s figures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caches and their current hit rates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart of the selected cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart of the Redis server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redis server memory used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> — no answer since %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — no answer since %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>memory: unknown (no answer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server does not answer: the charts show a gap until it does.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::HitRatePlot</name>
    <message>
        <source>Chart</source>
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
    <message>
        <source>Key browser full (4 GiB of key names, or a name over 64 KiB); narrow the filter</source>
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
    <message>
        <source>Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What is in a cache: its connections, their keys by namespace, and the selected entry decoded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2 · prefix %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SupersetMetastoreCache · key_value rows by uuid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a PEM file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA certificates, PEM (ssl_ca_certs; empty: the system store)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>client certificate, PEM (ssl_certfile; mutual TLS only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>client key, PEM (ssl_keyfile)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify the server certificate (ssl_cert_reqs=required)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the host name against it (ssl_check_hostname)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS (rediss://)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Certificate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys: %1 (no answer since %2)</source>
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
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan the keys again from the start, keeping the filter (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys of the connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The selected connection&apos;s keys and the decoded value of the selected key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys by namespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No answer from %1 since %2%3. The keys below were loaded before and may no longer exist; they reload by themselves when the server is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 restarted (a different server instance answers now): its keys were loaded again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STALE: no answer since %1; %2 keys loaded before</source>
        <translation type="unfinished"></translation>
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
        <source>Cannot connect to %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Numbered: Alt+F, S, then the number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh the page shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the user guide (docs/guide) in the desktop&apos;s viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guided &amp;tour of the demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taken once or twice: Alt+H, T.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The user guide is not installed with this CacheScope (docs/guide/README.md was not found).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No application opens %1; it is the user guide, in Markdown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the password for %1 from the keychain…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
Password for %2:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain&apos;s password did not work: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not from the keychain: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The password for %1 is not kept (%2); it is asked for next time.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::MessageBar</name>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismiss the message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors and warnings about what the page shows; the newest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>(+%n more)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>cachescope::NamespaceListView</name>
    <message>
        <source>◀ Tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the namespace tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Namespace keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keys of one large namespace as a flat list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keys of the namespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1*&lt;/b&gt; — %2 keys loaded, listed flat (too many to expand in the tree)</source>
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
    <message>
        <source>Overview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Are the caches hitting: every cache with its backend, entries, live hits and misses, and hit rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no answer from %1: server figures in grey are from before</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::PasswordStore</name>
    <message>
        <source>no password is stored for it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the keychain refused access (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no keychain is available (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no keychain answered (%1)</source>
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
    <message>
        <source>Payload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The selected entry decoded layer by layer: tree, table, JSON, hex and image views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payload actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoded layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Payload views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoded value tree</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoded value table</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoded value as JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raw bytes in hex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoded image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoded value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decode error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::TimeoutAuditModel</name>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Given TTL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chain today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Likely reason</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::TimeoutModel</name>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Effective</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supplied by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pitfalls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dashboards / details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The row&apos;s own cache_timeout (NULL: not set, the next link decides); a cache&apos;s own CACHE_DEFAULT_TIMEOUT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The timeout Superset hands to cache.set() for this chart&apos;s data, under the chosen release family</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which link of the timeout chain supplied the effective value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Known pitfalls of this release family that apply to the row</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>cachescope::TimeoutsPage</name>
    <message>
        <source>Metadata database:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SQLAlchemy URI (sqlite:////path/superset.db, postgresql://…, mysql://…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The config&apos;s SQLALCHEMY_DATABASE_URI unless you give another one; opened read-only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Superset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guess from the schema</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The release family whose timeout rules apply; by default guessed from alembic_version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow writes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlocks cache_timeout edits in this metadata database and default-timeout edits in the config file. Every edit is previewed and confirmed first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search names, #id, dashboards, cache purposes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All rows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With pitfalls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bypass (-1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Own timeout set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never expires</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit timeout…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo config edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeout chain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit the chart-data cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compares the TTL each chart-data entry was given with what its chain gives today.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configured vs actual</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeouts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How long entries live: each cache&apos;s default timeout and the databases, datasets and charts of the metadata database that override it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Metadata database URI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Superset release family</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeout views</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search the timeout chain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rows to show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details of the selected row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configured versus actual TTLs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No SQLALCHEMY_DATABASE_URI in the config: give a SQLAlchemy URI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Metadata database: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written: %1 %2 &quot;%3&quot; cache_timeout %4 → %5 (%6)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 databases, %3 datasets, %4 charts read in %5 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>writes unlocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read-only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No metadata database: only the caches&apos; default timeouts are shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rules of Superset %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (chosen)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>resolving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo&apos;s cache defaults live in its JSON config, not in a superset_config.py</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview, then write this row&apos;s timeout (needs &quot;Allow writes&quot;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a row to see how its timeout is resolved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no metadata database is loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2 &quot;%3&quot;: cache_timeout %4 → %5
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Under Superset %1 a chart without its own timeout gets %2 → %3.
</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n chart(s) reached, </source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n change:</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>
  … and %1 more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is read-only: tick &quot;Allow writes&quot; first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit cache_timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New cache_timeout of %1 %2 in seconds (-1, 0, a number, or null):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a timeout: give seconds, -1, 0 or null</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write cache_timeout?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One transaction in %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is read-only: tick &quot;Allow writes&quot; to make this change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No superset_config.py is open: the demo&apos;s defaults live in its JSON config</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit default timeout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1&apos;s CACHE_DEFAULT_TIMEOUT in seconds (0 never expires; null removes it, so the next link applies):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a timeout: give seconds or null</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already %2: nothing to write</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 → %3 (%4 at line %5). %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written atomically (temporary file + rename, mode kept); undo restores it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writes are locked: tick &quot;Allow writes&quot; to make this change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was not written: tick &quot;Allow writes&quot; first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was not restored: tick &quot;Allow writes&quot; first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was not written: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restored %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1: %2 %3 → %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the chart-data cache…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 chart-data entries: %2 match, %3 mismatch, %4 unknown (rules of Superset %5)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
