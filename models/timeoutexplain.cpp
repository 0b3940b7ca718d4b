#include "timeoutexplain.h"

#include "formatting.h"

namespace cachescope::timeoutexplain {

namespace {

bool isColumn(TimeoutLink link)
{
    return link == TimeoutLink::Chart || link == TimeoutLink::Dataset || link == TimeoutLink::Database;
}

// "the chart", "the dataset and the database": the links a falsy 0 jumped over.
QString shortName(TimeoutLink link)
{
    switch (link) {
    case TimeoutLink::Chart: return QStringLiteral("chart");
    case TimeoutLink::Dataset: return QStringLiteral("dataset");
    case TimeoutLink::Database: return QStringLiteral("database");
    default: return timeoutLinkName(link);
    }
}

QString joinAnd(const QStringList &parts)
{
    if (parts.size() <= 1)
        return parts.value(0);
    return QStringList(parts.mid(0, parts.size() - 1)).join(QStringLiteral(", ")) + QStringLiteral(" and ") + parts.last();
}

} // namespace

QString linkTitle(TimeoutLink link)
{
    switch (link) {
    case TimeoutLink::Custom: return QStringLiteral("custom timeout of the request");
    case TimeoutLink::NativeFilterOptions: return QStringLiteral("NATIVE_FILTER_OPTIONS_CACHE_TIMEOUT");
    case TimeoutLink::Chart: return QStringLiteral("chart (slices.cache_timeout)");
    case TimeoutLink::Dataset: return QStringLiteral("dataset (tables.cache_timeout)");
    case TimeoutLink::Database: return QStringLiteral("database (dbs.cache_timeout)");
    case TimeoutLink::FormData: return QStringLiteral("form data (slices.params cache_timeout)");
    case TimeoutLink::DataCacheConfig: return QStringLiteral("DATA_CACHE_CONFIG[\"CACHE_DEFAULT_TIMEOUT\"]");
    case TimeoutLink::CacheDefaultTimeout: return QStringLiteral("CACHE_DEFAULT_TIMEOUT");
    case TimeoutLink::AsyncFloor: return QStringLiteral("GLOBAL_ASYNC_QUERIES_MIN_CACHE_TTL");
    }
    return {};
}

QString valueText(TimeoutLink link, const std::optional<qint64> &value)
{
    if (!value)
        return isColumn(link) ? QStringLiteral("NULL") : QStringLiteral("not set");
    if (*value == 0)
        return QStringLiteral("0");
    if (*value < 0)
        return QString::number(*value);
    return QStringLiteral("%1 s (%2)").arg(*value).arg(formatDuration(*value));
}

QString effectiveText(const TimeoutResolution &r)
{
    if (r.bypass)
        return QStringLiteral("%1: bypass (the query always runs)").arg(r.effective);
    if (r.effective == 0)
        return QStringLiteral("never expires (0)");
    if (r.effective < 0)
        return QString::number(r.effective);
    return QStringLiteral("%1 (%2 s)").arg(formatDuration(r.effective)).arg(r.effective);
}

QStringList steps(const TimeoutResolution &r, const FamilyRules &rules, const TimeoutConfig &config)
{
    QStringList out;
    std::optional<TimeoutLink> falsy;   // where a falsy 0 was thrown away
    std::optional<TimeoutLink> answer;  // the link that answered before the rest
    for (qsizetype i = 0; i < r.steps.size(); ++i) {
        const TimeoutStep &s = r.steps[i];
        QString where;
        if (s.link == TimeoutLink::CacheDefaultTimeout)
            where = config.cacheDefaultFromFile && config.cacheDefaultAt.isValid()
                        ? QStringLiteral(" (%1)").arg(config.cacheDefaultAt.toString())
                        : QStringLiteral(" (Superset's default, superset/config.py)");
        else if (s.link == TimeoutLink::DataCacheConfig && config.dataCacheAt.isValid())
            where = QStringLiteral(" (%1)").arg(config.dataCacheAt.toString());
        else if (s.link == TimeoutLink::AsyncFloor && config.asyncMinAt.isValid())
            where = QStringLiteral(" (%1)").arg(config.asyncMinAt.toString());
        const QString head = QStringLiteral("%1 = %2%3").arg(linkTitle(s.link), valueText(s.link, s.value), where);
        QString verdict;
        switch (s.verdict) {
        case StepVerdict::NotSet:
            verdict = QStringLiteral("not set: the next link is asked");
            break;
        case StepVerdict::Used:
            verdict = QStringLiteral("used");
            answer = s.link;
            break;
        case StepVerdict::FalsySkipped: {
            QStringList jumped;
            for (qsizetype j = i + 1; j < r.steps.size(); ++j)
                if (r.steps[j].verdict == StepVerdict::Skipped && isColumn(r.steps[j].link))
                    jumped << shortName(r.steps[j].link);
            verdict = QStringLiteral("0 is falsy to QueryContextProcessor.get_cache_timeout (`if cache_timeout_rv:`): thrown "
                                     "away%1, the config defaults decide")
                          .arg(jumped.isEmpty() ? QString() : QStringLiteral(" — %1 skipped").arg(joinAnd(jumped)));
            falsy = s.link;
            break;
        }
        case StepVerdict::Skipped:
            if (falsy && isColumn(s.link))
                verdict = QStringLiteral("skipped: the falsy 0 at the %1 jumped over it").arg(shortName(*falsy));
            else if (answer)
                verdict = QStringLiteral("not reached: the %1 answered first").arg(shortName(*answer));
            else
                verdict = QStringLiteral("not reached");
            break;
        case StepVerdict::NotInRelease:
            verdict = QStringLiteral("not consulted by Superset %1").arg(QString::fromLatin1(rules.id));
            break;
        case StepVerdict::Floored:
            verdict = QStringLiteral("raised to the async floor");
            answer = s.link;
            break;
        }
        out << QStringLiteral("%1: %2").arg(head, verdict);
    }
    return out;
}

QString summary(const TimeoutResolution &r)
{
    QString from = QStringLiteral("%1 from %2").arg(effectiveText(r), timeoutLinkName(r.source));
    if (r.at.isValid())
        from += QStringLiteral(" (%1)").arg(r.at.toString());
    for (qsizetype i = 0; i < r.steps.size(); ++i) {
        if (r.steps[i].verdict != StepVerdict::FalsySkipped)
            continue;
        QStringList jumped;
        for (qsizetype j = i + 1; j < r.steps.size(); ++j)
            if (r.steps[j].verdict == StepVerdict::Skipped && isColumn(r.steps[j].link))
                jumped << shortName(r.steps[j].link);
        from += QStringLiteral("; %1 0 is falsy: %2").arg(shortName(r.steps[i].link),
                                                          jumped.isEmpty() ? QStringLiteral("the defaults decide")
                                                                           : joinAnd(jumped) + QStringLiteral(" skipped"));
    }
    return from;
}

} // namespace cachescope::timeoutexplain
