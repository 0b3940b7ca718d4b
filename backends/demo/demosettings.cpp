#include "demosettings.h"

#include <QJsonValue>

namespace cachescope {

namespace {

Expected<double> number(const QJsonObject &o, const char *name, double fallback, double min, double max)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined() || v.isNull())
        return fallback;
    if (!v.isDouble())
        return makeError(QStringLiteral("demo.%1: expected a number").arg(QLatin1String(name)));
    const double d = v.toDouble();
    if (!(d >= min && d <= max))
        return makeError(QStringLiteral("demo.%1: %2 is outside %3..%4").arg(QLatin1String(name)).arg(d).arg(min).arg(max));
    return d;
}

} // namespace

Expected<DemoSettings> DemoSettings::fromJson(const QJsonObject &o)
{
    DemoSettings s;
    auto users = number(o, "users", s.users, 0, 1000);
    auto skew = number(o, "skew", s.skew, 0, 5);
    auto timeout = number(o, "chart_timeout", double(s.chartTimeout), 0, 365.0 * 86400);
    auto threshold = number(o, "threshold", s.threshold, 0, 10'000'000);
    auto charts = number(o, "charts", s.charts, 1, 1'000'000);
    auto dashboards = number(o, "dashboards", s.dashboards, 1, 100'000);
    auto interval = number(o, "request_interval_ms", s.requestIntervalMs, 1, 60'000);
    auto seed = number(o, "seed", s.seed, 0, 4294967295.0);
    for (auto *r : {&users, &skew, &timeout, &threshold, &charts, &dashboards, &interval, &seed})
        if (!*r)
            return Error{r->error()};
    s.users = int(*users);
    s.skew = *skew;
    s.chartTimeout = qint64(*timeout);
    s.threshold = int(*threshold);
    s.charts = int(*charts);
    s.dashboards = int(*dashboards);
    s.requestIntervalMs = int(*interval);
    s.seed = quint32(*seed);
    return s;
}

} // namespace cachescope
