#include "timeoutrules.h"

#include "metadata/supersetreleases.h"

#include <QRegularExpression>

namespace cachescope {

namespace {

// Sources. Release tags were read in a mirror of apache/superset that carries them
// (CybercentreCanada/superset, tags 1.5.0 … 5.0.0rc2; the tag commits are named in `source`).
// 6.0 and master were read through the public code index (apache/superset paths at the commits
// named) and the pull requests that changed the rules. docs/timeouts.md explains each family.
#define QC(tag, lines) "apache/superset › superset/common/query_context.py:" lines " QueryContext.get_cache_timeout @ " tag
#define QCP(tag, lines) "apache/superset › superset/common/query_context_processor.py:" lines " @ " tag
#define VIZ(tag, lines) "apache/superset › superset/viz.py:" lines " BaseViz.cache_timeout/get_df_payload @ " tag
#define CFG(tag, line) "apache/superset › superset/config.py:" line " CACHE_DEFAULT_TIMEOUT = int(timedelta(days=1).total_seconds()) @ " tag

const char *const kNoNewSteps = "NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT (PR #38910) and GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL "
                                "(PR #43463) came after 6.0";
const char *const kWritten = "superset/utils/cache.py set_and_log_cache hands any non-None timeout to cache.set(); "
                             "PR #34654 (merged 2025-08-12, after 5.0) skips the write for -1";

const QList<FamilyRules> kFamilies = {
    {SupersetFamily::V1_5, "1.5", "tag 1.5.0 (054e6b2334)",
     /*chartStep*/ false, QC("1.5.0", "98-105") " (custom → dataset → database; no chart step, issue #21635)",
     ChainTest::Truthy, /*dataCacheConfigStep*/ false,
     QCP("1.5.0", "399-403") " (`if cache_timeout_rv:` else config[\"CACHE_DEFAULT_TIMEOUT\"])",
     false, false, 0, kNoNewSteps,
     false, QCP("1.5.0", "132") " force_query=self._query_context.force; " "-1 bypass: PR #23439 (3.0)",
     true, kWritten,
     false, VIZ("1.5.0", "424-436") "; superset/models/slice.py:268 `if self.cache_timeout:` @ 1.5.0",
     86400, CFG("1.5.0", "583")},
    {SupersetFamily::V2_0, "2.0", "tag 2.0.0 (067495d954)",
     false, QC("2.0.0", "98-105") " (no chart step, issue #21635)",
     ChainTest::Truthy, false,
     QCP("2.0.0", "409-413") " (`if cache_timeout_rv:` else config[\"CACHE_DEFAULT_TIMEOUT\"]; PR #21441 added the "
                             "DATA_CACHE_CONFIG step later)",
     false, false, 0, kNoNewSteps,
     false, QCP("2.0.0", "132") " force_query=self._query_context.force",
     true, kWritten,
     false, VIZ("2.0.0", "423-435") "; superset/models/slice.py:268 @ 2.0.0",
     86400, CFG("2.0.0", "577")},
    {SupersetFamily::V2_0_1, "2.0.1", "tag 2.0.1 (507a7562e0)",
     true, QC("2.0.1", "102-111") " (chart step from PR #21637; superset/common/query_context_factory.py:62-63 loads "
                                 "the chart from form_data.slice_id)",
     ChainTest::Truthy, true,
     QCP("2.0.1", "409-419") " (`if cache_timeout_rv:`, then DATA_CACHE_CONFIG `is not None`, then CACHE_DEFAULT_TIMEOUT)",
     false, false, 0, kNoNewSteps,
     false, QCP("2.0.1", "132") " force_query=self._query_context.force",
     true, kWritten,
     false, VIZ("2.0.1", "423-435") "; superset/models/slice.py:268 @ 2.0.1",
     86400, CFG("2.0.1", "577")},
    {SupersetFamily::V2_1, "2.1", "tag 2.1.0 (2817aebd69)",
     true, QC("2.1.0", "102-111"),
     ChainTest::Truthy, true, QCP("2.1.0", "500-510"),
     false, false, 0, kNoNewSteps,
     false, QCP("2.1.0", "142") " force_query=self._query_context.force",
     true, kWritten,
     false, VIZ("2.1.0", "430-442") "; superset/models/slice.py:271 @ 2.1.0",
     86400, CFG("2.1.0", "681")},
    {SupersetFamily::V3_0, "3.0", "tag 3.0.0 (40d9c4c81f)",
     true, QC("3.0.0", "102-111"),
     ChainTest::Truthy, true, QCP("3.0.0", "613-622") " (`if cache_timeout_rv := ...:`)",
     false, false, 0, kNoNewSteps,
     true, QCP("3.0.0", "130-131") " `force_query = self._query_context.force or timeout == -1` (PR #23439)",
     true, kWritten,
     true, VIZ("3.0.0", "427-439, 530-531") "; superset/models/slice.py:284 @ 3.0.0",
     86400, CFG("3.0.0", "692")},
    {SupersetFamily::V3_1, "3.1", "tag 3.1.0 (0cd2431989)",
     true, QC("3.1.0", "102-111"),
     ChainTest::Truthy, true, QCP("3.1.0", "610-619"),
     false, false, 0, kNoNewSteps,
     true, QCP("3.1.0", "129-130"),
     true, kWritten,
     true, VIZ("3.1.0", "426-438, 529-530") "; superset/models/slice.py:284 @ 3.1.0",
     86400, CFG("3.1.0", "711")},
    {SupersetFamily::V4_0, "4.0", "tag 4.0.0 (c35842e9f1)",
     true, QC("4.0.0", "102-111"),
     ChainTest::Truthy, true, QCP("4.0.0", "618-627"),
     false, false, 0, kNoNewSteps,
     true, QCP("4.0.0", "129-130"),
     true, kWritten,
     true, VIZ("4.0.0", "426-438, 529-530") "; superset/models/slice.py:284 @ 4.0.0",
     86400, CFG("4.0.0", "687")},
    {SupersetFamily::V4_1, "4.1", "tag 4.1.0 (855f4c4897)",
     true, QC("4.1.0", "104-113"),
     ChainTest::Truthy, true, QCP("4.1.0", "706-715"),
     false, false, 0, kNoNewSteps,
     true, QCP("4.1.0", "131-132"),
     true, kWritten,
     true, VIZ("4.1.0", "426-438, 529-530") "; superset/models/slice.py:281 @ 4.1.0",
     86400, CFG("4.1.0", "766")},
    {SupersetFamily::V5_0, "5.0", "tag 5.0.0rc2 (e349f68c3b); no later 5.0 tag was in the mirror",
     true, QC("5.0.0rc2", "104-113"),
     ChainTest::Truthy, true, QCP("5.0.0rc2", "783-792"),
     false, false, 0, kNoNewSteps,
     true, QCP("5.0.0rc2", "135-136"),
     true, kWritten,
     true, VIZ("5.0.0rc2", "424-436, 527-528") "; superset/models/slice.py:284 @ 5.0.0rc2",
     86400, CFG("5.0.0rc2", "776")},
    {SupersetFamily::V6_0, "6.0",
     "6.0.0 as carried by kunalsinha19/mcd_superset_6.0.0_v1 @ 53416b1c (no tag mirror was available) and PR #34654",
     true, "apache/superset › superset/common/query_context.py QueryContext.get_cache_timeout, unchanged since 2.0.1 "
           "(6.0.0 copy @ 53416b1c)",
     ChainTest::Truthy, true,
     "apache/superset › superset/common/query_context_processor.py get_cache_timeout (`if cache_timeout_rv := ...:`) "
     "in the 6.0.0 copy @ 53416b1c",
     false, false, 0, kNoNewSteps,
     true, "query_context_processor.py get_df_payload `force_query = self._query_context.force or timeout == "
           "CACHE_DISABLED_TIMEOUT` (6.0.0 copy @ 53416b1c; the constant came with PR #34654)",
     false, "PR #34654 \"fix: centralize cache timeout -1 logic to prevent caching\" (merged 2025-08-12): "
            "set_and_log_cache returns before cache.set() when timeout == CACHE_DISABLED_TIMEOUT (-1)",
     true, "superset/viz.py BaseViz.cache_timeout unchanged (chain as 5.0); its writes go through set_and_log_cache",
     86400, "apache/superset › superset/config.py CACHE_DEFAULT_TIMEOUT = int(timedelta(days=1).total_seconds())"},
    {SupersetFamily::Master, "master",
     "apache/superset master (2026) through the code index: query_context_processor.py @ 00139b6a, "
     "query_context.py @ 0114f96e",
     true, "apache/superset › superset/common/query_context.py QueryContext.get_cache_timeout @ 0114f96e (custom → "
           "chart → datasource.cache_timeout, whose BaseDatasource property falls back to the database)",
     ChainTest::NotNone, true,
     "apache/superset › superset/common/query_context_processor.py QueryContextProcessor._resolve_cache_timeout @ "
     "00139b6a (step 3 `if (cache_timeout := ...) is not None`)",
     true, true, 300,
     "query_context_processor.py _resolve_cache_timeout step 2 and _apply_async_min_cache_ttl @ 00139b6a; "
     "NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT (default None) from PR #38910, GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL = "
     "int(timedelta(minutes=5).total_seconds()) from PR #43463/#43407",
     true, "query_context_processor.py get_df_payload_result `... or timeout == CACHE_DISABLED_TIMEOUT` @ 00139b6a",
     false, "superset/utils/cache.py set_and_log_cache `if timeout == CACHE_DISABLED_TIMEOUT: return` (master copy in the "
            "code index; PR #34654)",
     true, "superset/viz.py BaseViz.cache_timeout as in 5.0 (not re-read for master)",
     86400, "apache/superset › superset/config.py CACHE_DEFAULT_TIMEOUT = int(timedelta(days=1).total_seconds())"},
};

#undef QC
#undef QCP
#undef VIZ
#undef CFG

} // namespace

const QList<FamilyRules> &allFamilyRules()
{
    return kFamilies;
}

const FamilyRules &familyRules(SupersetFamily family)
{
    for (const auto &r : kFamilies)
        if (r.family == family)
            return r;
    return kFamilies.last();
}

SupersetFamily newestFamily()
{
    return kFamilies.last().family;
}

QString familyId(SupersetFamily family)
{
    return QString::fromLatin1(familyRules(family).id);
}

QStringList familyIds()
{
    QStringList ids;
    for (const auto &r : kFamilies)
        ids << QString::fromLatin1(r.id);
    return ids;
}

FamilyChoice familyFromVersion(const QString &version)
{
    FamilyChoice choice;
    const QString v = version.trimmed().toLower();
    if (v == u"master" || v == u"latest" || v == u"main") {
        choice.family = SupersetFamily::Master;
        return choice;
    }
    static const QRegularExpression re(QStringLiteral(R"(^v?(\d+)\.(\d+)(?:\.(\d+))?([a-z0-9.+-]*)$)"));
    const auto m = re.match(v);
    if (!m.hasMatch()) {
        choice.error = QStringLiteral("'%1' is not a Superset version (expected X.Y or X.Y.Z, e.g. 4.1 or 2.0.1; known "
                                      "families: %2)")
                           .arg(version, familyIds().join(QStringLiteral(", ")));
        return choice;
    }
    const int major = m.captured(1).toInt();
    const int minor = m.captured(2).toInt();
    const int patch = m.captured(3).isEmpty() ? -1 : m.captured(3).toInt();
    const auto family = [&]() -> std::optional<SupersetFamily> {
        switch (major * 100 + minor) {
        case 105: return SupersetFamily::V1_5;
        case 200: return patch >= 1 ? SupersetFamily::V2_0_1 : SupersetFamily::V2_0;
        case 201: return SupersetFamily::V2_1;
        case 300: return SupersetFamily::V3_0;
        case 301: return SupersetFamily::V3_1;
        case 400: return SupersetFamily::V4_0;
        case 401: return SupersetFamily::V4_1;
        case 500: return SupersetFamily::V5_0;
        case 600: return SupersetFamily::V6_0;
        default: return std::nullopt;
        }
    }();
    if (family) {
        choice.family = *family;
        return choice;
    }
    const int asNumber = major * 100 + minor;
    if (asNumber < 105) {
        choice.error = QStringLiteral("Superset %1 is older than the oldest family known (1.5); known families: %2")
                           .arg(version, familyIds().join(QStringLiteral(", ")));
        return choice;
    }
    if (asNumber < 600) {
        // A release between two families read (there is none today, but a fork may number itself so):
        // the rules of the family before it, said out loud.
        static const int kFloors[] = {105, 200, 201, 300, 301, 400, 401, 500};
        int floor = 105;
        for (int f : kFloors)
            if (f <= asNumber)
                floor = f;
        choice = familyFromVersion(QStringLiteral("%1.%2").arg(floor / 100).arg(floor % 100));
        choice.note = QStringLiteral("Superset %1 is not a release family read: using the one before it, %2")
                          .arg(version, familyId(choice.family));
        return choice;
    }
    choice.family = newestFamily();
    choice.note = QStringLiteral("Superset %1 is newer than the release families read (up to 6.0): using the newest "
                                 "family known, %2")
                      .arg(version, familyId(newestFamily()));
    return choice;
}

FamilyGuess familyFromAlembicRevision(const QString &revision)
{
    // The release table is the metadata layer's (supersetreleases.cpp); this only maps its release
    // line onto the families whose timeout rules were read, and says what was assumed.
    FamilyGuess guess;
    const QString rev = revision.trimmed();
    const SupersetFamily newest = newestFamily();
    if (rev.isEmpty()) {
        guess.family = newest;
        guess.reason = QStringLiteral("the metadata database has no alembic_version row: assuming the newest family known (%1)")
                           .arg(familyId(newest));
        return guess;
    }
    const SupersetRelease release = supersetReleaseForRevision(rev);
    if (!release.known || release.family.isEmpty()) {
        if (release.known) { // older than 1.0
            guess.family = SupersetFamily::V1_5;
            guess.reason = QStringLiteral("alembic revision %1 is from Superset %2: using the oldest family known (1.5)")
                               .arg(rev, release.release);
            return guess;
        }
        guess.family = newest;
        guess.reason = QStringLiteral("alembic revision %1 is not a Superset migration up to 5.0 (a newer release or a "
                                      "fork): assuming the newest family known (%2); pass --superset-version to choose")
                           .arg(rev, familyId(newest));
        return guess;
    }
    const FamilyChoice choice = familyFromVersion(release.family);
    if (!choice.error.isEmpty()) { // 1.0 ... 1.4
        guess.family = SupersetFamily::V1_5;
        guess.reason = QStringLiteral("alembic revision %1 is from Superset %2, older than the oldest family known: using 1.5")
                           .arg(rev, release.release);
        return guess;
    }
    guess.family = choice.family;
    guess.exact = release.head;
    if (release.family == u"2.0") {
        // 2.0.0 and 2.0.1 migrate to the same head; 2.0.1 carries the chart step (PR #21637).
        guess.family = SupersetFamily::V2_0_1;
        guess.exact = false;
        guess.reason = QStringLiteral("alembic revision %1 is from Superset %2: assuming 2.0.1 (pass --superset-version 2.0 "
                                      "for 2.0.0, which ignores chart timeouts)")
                           .arg(rev, release.release);
        return guess;
    }
    guess.reason = QStringLiteral("alembic revision %1 is from Superset %2: family %3")
                       .arg(rev, release.release, familyId(guess.family));
    return guess;
}

} // namespace cachescope
