// Recognisers that turn pickled shapes into values to show: datetime/Decimal/UUID/msgpack
// timestamps, numpy arrays and dtypes, pandas indexes, block managers and extension arrays, and
// the calendar arithmetic they share. Past 1,000 lines because numpy and pandas layouts build on
// each other (a frame is blocks of arrays with dtypes and indexes).
#include "recognisers.h"

#include <QDate>
#include <QDateTime>
#include <QTimeZone>
#include <QtEndian>

#include <cmath>
#include <cstring>
#include <limits>

namespace cachescope {

namespace {

using Kind = PyValue::Kind;

QByteArray normalisedModule(const QByteArray &module)
{
    // numpy 2 moved numpy.core to numpy._core; pickles name either.
    if (module.startsWith("numpy._core"))
        return "numpy.core" + module.mid(11);
    return module;
}

bool isObject(const PyValue &v, const char *qualified)
{
    // Allocation-free: the JSON writer asks this for every object node it renders.
    if (v.kind() != Kind::Object)
        return false;
    const auto &o = v.object();
    const QByteArrayView q(qualified, qsizetype(qstrlen(qualified)));
    const qsizetype dot = q.lastIndexOf('.');
    if (dot < 0 || QByteArrayView(o.name) != q.sliced(dot + 1))
        return false;
    const QByteArrayView module = q.first(dot);
    if (QByteArrayView(o.module) == module)
        return true;
    // numpy 2 moved numpy.core to numpy._core; pickles name either.
    return o.module.startsWith("numpy._core") && module.startsWith("numpy.core")
        && QByteArrayView(o.module).sliced(11) == module.sliced(10);
}

bool nameIs(const PyValue &v, const char *name)
{
    return v.kind() == Kind::Object && v.object().name == name;
}

const PyValue *arg(const PyValue &v, size_t i)
{
    if (v.kind() != Kind::Object || !v.object().args || v.object().args->size() <= i)
        return nullptr;
    return &(*v.object().args)[i];
}

const PyValue *state(const PyValue &v)
{
    if (v.kind() != Kind::Object || !v.object().state)
        return nullptr;
    return v.object().state.get();
}

const PyValue *item(const PyValue *seq, size_t i)
{
    if (!seq || !seq->isSequence() || seq->items().size() <= i)
        return nullptr;
    return &seq->items()[i];
}

const PyValue *stateGet(const PyValue &v, const char *key)
{
    const PyValue *s = state(v);
    if (!s)
        return nullptr;
    if (s->kind() == Kind::Dict)
        return s->get(key);
    // (dict, slots) state
    if (const PyValue *d = item(s, 0); d && d->kind() == Kind::Dict)
        return d->get(key);
    return nullptr;
}

bool intOf(const PyValue *v, qint64 *out)
{
    if (!v || v->kind() != Kind::Int)
        return false;
    *out = v->toInt();
    return true;
}

// The proleptic Gregorian date of a day count since 1970-01-01, for any int64 count (Howard
// Hinnant's civil_from_days; QDate stops at 32-bit years).
void civilFromDays(qint64 days, qint64 *year, int *month, int *day)
{
    // Shift so that eras start on 0000-03-01; |days| <= 2^63 / 86400 * 7 at most, far from overflow.
    const qint64 z = days + 719468;
    const qint64 era = (z >= 0 ? z : z - 146096) / 146097;
    const qint64 doe = z - era * 146097;                                   // [0, 146096]
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);             // [0, 365]
    const qint64 mp = (5 * doy + 2) / 153;                                  // [0, 11]
    *day = int(doy - (153 * mp + 2) / 5 + 1);
    *month = int(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

// ISO 8601 year: four digits for 0000-9999 (astronomical numbering: 0000 is 1 BC), otherwise
// the expanded form with a sign and at least four digits ("-0001", "+10000"), as java.time does.
QString isoYear(qint64 year)
{
    if (year >= 0 && year <= 9999)
        return QStringLiteral("%1").arg(year, 4, 10, QLatin1Char('0'));
    const QString digits = QString::number(year < 0 ? -year : year);
    return (year < 0 ? QStringLiteral("-") : QStringLiteral("+")) + QString(std::max<qsizetype>(0, 4 - digits.size()), u'0') + digits;
}

// days since the epoch, seconds into the day and nanoseconds -> "YYYY-MM-DDTHH:MM:SS[.ffffff[fff]]"
QString isoFromParts(qint64 days, qint64 secondOfDay, qint64 nanos, bool dateOnly = false)
{
    qint64 year;
    int month, day;
    civilFromDays(days, &year, &month, &day);
    QString s = isoYear(year) + QStringLiteral("-%1-%2").arg(month, 2, 10, QLatin1Char('0')).arg(day, 2, 10, QLatin1Char('0'));
    if (dateOnly)
        return s;
    const qint64 sod = secondOfDay;
    s += QStringLiteral("T%1:%2:%3").arg(sod / 3600, 2, 10, QLatin1Char('0')).arg((sod / 60) % 60, 2, 10, QLatin1Char('0')).arg(sod % 60, 2, 10, QLatin1Char('0'));
    if (nanos) {
        if (nanos % 1000 == 0)
            s += QStringLiteral(".%1").arg(nanos / 1000, 6, 10, QLatin1Char('0'));
        else
            s += QStringLiteral(".%1").arg(nanos, 9, 10, QLatin1Char('0'));
    }
    return s;
}

// Floor quotient and non-negative remainder, without forming q * d (it overflows near INT64_MIN).
void divMod(qint64 n, qint64 d, qint64 *q, qint64 *r)
{
    *q = n / d;
    *r = n % d;
    if (*r < 0) {
        *r += d;
        --*q;
    }
}

QString isoFromSeconds(qint64 secs, qint64 nanos, bool dateOnly = false)
{
    qint64 days, sod;
    divMod(secs, 86400, &days, &sod);
    return isoFromParts(days, sod, nanos, dateOnly);
}

QString offsetText(int seconds)
{
    const QChar sign = seconds < 0 ? u'-' : u'+';
    seconds = std::abs(seconds);
    QString s = QStringLiteral("%1%2:%3").arg(sign).arg(seconds / 3600, 2, 10, QLatin1Char('0')).arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'));
    if (seconds % 60)
        s += QStringLiteral(":%1").arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return s;
}

// Units per second for numpy/pandas time units; 0 for calendar units.
bool unitScale(const QByteArray &unit, qint64 *perSecond, qint64 *secondsPer)
{
    *perSecond = 1;
    *secondsPer = 1;
    if (unit == "ns") *perSecond = 1000000000;
    else if (unit == "us") *perSecond = 1000000;
    else if (unit == "ms") *perSecond = 1000;
    else if (unit == "s") {}
    else if (unit == "m") *secondsPer = 60;
    else if (unit == "h") *secondsPer = 3600;
    else if (unit == "D") *secondsPer = 86400;
    else if (unit == "W") *secondsPer = 7 * 86400;
    else return false;
    return true;
}

// A count of `unit` since the epoch as days, second of the day and nanoseconds, for every int64
// count (numpy prints 2^63-1 seconds as the year 292277026596; so does this).
bool splitEpoch(qint64 count, const QByteArray &unit, qint64 *days, qint64 *secondOfDay, qint64 *nanos)
{
    qint64 perSecond, secondsPer;
    if (!unitScale(unit, &perSecond, &secondsPer))
        return false;
    *nanos = 0;
    if (perSecond > 1 || secondsPer == 1) {
        qint64 secs, sub;
        divMod(count, perSecond, &secs, &sub);
        *nanos = sub * (1000000000 / perSecond);
        divMod(secs, 86400, days, secondOfDay);
        return true;
    }
    const qint64 perDay = 86400 / std::min<qint64>(secondsPer, 86400); // units per day: 1440, 24, 1
    if (secondsPer > 86400) {                                // weeks
        if (count > std::numeric_limits<qint64>::max() / 7 || count < std::numeric_limits<qint64>::min() / 7)
            return false;
        *days = count * 7;
        *secondOfDay = 0;
        return true;
    }
    qint64 rest;
    divMod(count, perDay, days, &rest);
    *secondOfDay = rest * secondsPer;
    return true;
}

// A timezone name (IANA, "UTC", "+05:30") -> offset at a UTC instant.
std::optional<int> zoneOffset(const QString &zone, qint64 utcSecs)
{
    if (zone.isEmpty())
        return std::nullopt;
    if (zone == QLatin1String("UTC") || zone == QLatin1String("utc"))
        return 0;
    if ((zone.startsWith(u'+') || zone.startsWith(u'-')) && zone.size() >= 6) {
        const int h = zone.mid(1, 2).toInt(), m = zone.mid(4, 2).toInt();
        return (zone.startsWith(u'-') ? -1 : 1) * (h * 3600 + m * 60);
    }
    const QTimeZone tz(zone.toUtf8());
    if (!tz.isValid())
        return std::nullopt;
    return tz.offsetFromUtc(QDateTime::fromSecsSinceEpoch(utcSecs, Qt::UTC));
}

QString isoWithZone(qint64 count, const QByteArray &unit, const QString &zone)
{
    qint64 days, sod, nanos;
    if (!splitEpoch(count, unit, &days, &sod, &nanos))
        return QStringLiteral("%1 %2").arg(count).arg(QString::fromLatin1(unit));
    if (zone.isEmpty())
        return isoFromParts(days, sod, nanos);
    // UTC and fixed offsets hold at any instant; zone rules are looked up within +-2^50 seconds
    // of the epoch (35 million years), where days * 86400 cannot overflow.
    constexpr qint64 kMaxDays = (qint64(1) << 50) / 86400;
    const bool inRange = days > -kMaxDays && days < kMaxDays;
    const auto off = zoneOffset(zone, inRange ? days * 86400 + sod : 0);
    const bool fixed = zone == QLatin1String("UTC") || zone == QLatin1String("utc") || zone.startsWith(u'+') || zone.startsWith(u'-');
    if (!off || (!inRange && !fixed))
        return isoFromParts(days, sod, nanos);
    qint64 carry, local;
    divMod(sod + *off, 86400, &carry, &local);
    return isoFromParts(days + carry, local, nanos) + offsetText(*off);
}

// tzinfo objects: the zone name they stand for ("UTC", "Europe/Paris", "+05:30").
QString zoneName(const PyValue &tz)
{
    if (tz.kind() != Kind::Object)
        return {};
    const QByteArray q = tz.object().module + '.' + tz.object().name;
    if (q == "pytz._UTC" || q == "pytz.utc")
        return QStringLiteral("UTC");
    if (q == "pytz._p" || q == "zoneinfo.ZoneInfo._unpickle" || q == "dateutil.tz.tz.tzfile") {
        if (const PyValue *a = arg(tz, 0); a && a->kind() == Kind::Str)
            return a->toQString();
    }
    if (q == "datetime.timezone") {
        if (const PyValue *a = arg(tz, 0)) {
            if (auto c = Recognisers::scalar(*a); c && c->tag == Cell::Tag::TimeDelta)
                return c->seconds == 0 ? QStringLiteral("UTC") : offsetText(int(c->seconds));
        }
    }
    return {};
}

// Fixed offset carried by a tzinfo for a datetime whose wall time is `localSecs`.
std::optional<int> tzOffset(const PyValue &tz, qint64 localSecs)
{
    if (tz.kind() != Kind::Object)
        return std::nullopt;
    const QByteArray q = tz.object().module + '.' + tz.object().name;
    if (q == "pytz._p") {
        qint64 off;
        if (intOf(arg(tz, 1), &off)) // (zone, utcoffset, dst, tzname): this datetime's own offset
            return int(off);
    }
    const QString zone = zoneName(tz);
    if (zone.isEmpty())
        return std::nullopt;
    // Wall time: look the offset up at the (approximate) instant; exact except across a DST change.
    return zoneOffset(zone, localSecs);
}

QByteArray stateBytes(const PyValue &v)
{
    const PyValue *a = arg(v, 0);
    if (!a)
        return {};
    if (a->kind() == Kind::Bytes || a->kind() == Kind::ByteArray)
        return a->bytesData();
    if (a->kind() == Kind::Str) // protocol 0-2 may keep the state as a latin-1 str
        return a->toQString().toLatin1();
    return {};
}

double timedeltaSeconds(const PyValue &v, bool *ok)
{
    qint64 d = 0, s = 0, us = 0;
    *ok = intOf(arg(v, 0), &d) && intOf(arg(v, 1), &s) && intOf(arg(v, 2), &us);
    return double(d) * 86400.0 + double(s) + double(us) / 1e6;
}

struct DType
{
    char kind = 'V';
    char byteOrder = '<';
    int itemSize = 0;
    QByteArray unit;
    QString timezone;
};

std::optional<DType> dtypeOf(const PyValue &v)
{
    if (!isObject(v, "numpy.dtype"))
        return std::nullopt;
    const PyValue *t = arg(v, 0);
    if (!t || t->kind() != Kind::Str || t->bytesData().isEmpty())
        return std::nullopt;
    const QByteArray ts = t->bytesData();
    DType d;
    d.kind = ts[0];
    const int n = ts.mid(1).toInt();
    switch (d.kind) {
    case 'U': d.itemSize = n * 4; break;
    case 'O': d.itemSize = 8; break;
    default: d.itemSize = n;
    }
    const PyValue *st = state(v);
    if (const PyValue *bo = item(st, 1); bo && bo->kind() == Kind::Str && !bo->bytesData().isEmpty())
        d.byteOrder = bo->bytesData()[0] == '=' ? '<' : bo->bytesData()[0];
    qint64 elsize;
    if (intOf(item(st, 5), &elsize) && elsize > 0)
        d.itemSize = int(elsize);
    if (const PyValue *meta = item(st, 8)) {
        if (const PyValue *unit = item(item(meta, 1), 0); unit && (unit->kind() == Kind::Bytes || unit->kind() == Kind::Str))
            d.unit = unit->bytesData();
    }
    if ((d.kind == 'M' || d.kind == 'm') && d.unit.isEmpty())
        d.unit = "ns";
    if (d.itemSize <= 0 && d.kind != 'V' && d.kind != 'U' && d.kind != 'S')
        return std::nullopt;
    return d;
}

std::optional<NdArray> makeArray(const DType &d, std::vector<qint64> shape, bool fortran, const PyValue &dataIn)
{
    // Protocol <= 2 writes an empty bytes object as REDUCE(builtins.bytes, ()).
    const PyValue data = (isObject(dataIn, "builtins.bytes") && (!dataIn.object().args || dataIn.object().args->empty()))
        ? PyValue::bytes(QByteArray()) : dataIn;
    NdArray a;
    a.kind = d.kind;
    a.byteOrder = d.byteOrder;
    a.itemSize = d.itemSize;
    a.unit = d.unit;
    a.shape = std::move(shape);
    a.fortran = fortran;
    qint64 n = 1;
    for (qint64 s : a.shape) {
        if (s < 0 || (s > 0 && n > std::numeric_limits<qint64>::max() / s))
            return std::nullopt;
        n *= s;
    }
    if (d.kind == 'O') {
        if (!data.isSequence() || qint64(data.items().size()) != n)
            return std::nullopt;
        a.objects = data;
        return a;
    }
    if (data.kind() != Kind::Bytes && data.kind() != Kind::ByteArray && data.kind() != Kind::Str)
        return std::nullopt;
    a.raw = data.kind() == Kind::Str ? data.toQString().toLatin1() : data.bytesData();
    if (a.itemSize > 0 && n > std::numeric_limits<qint64>::max() / a.itemSize)
        return std::nullopt;
    if (qint64(a.raw.size()) != n * a.itemSize)
        return std::nullopt;
    return a;
}

std::optional<std::vector<qint64>> shapeOf(const PyValue *v)
{
    if (!v)
        return std::nullopt;
    std::vector<qint64> shape;
    if (v->kind() == Kind::Int) {
        shape.push_back(v->toInt());
        return shape;
    }
    if (!v->isSequence())
        return std::nullopt;
    for (const auto &x : v->items()) {
        if (x.kind() != Kind::Int)
            return std::nullopt;
        shape.push_back(x.toInt());
    }
    return shape;
}

template<typename T>
T loadOrdered(const char *p, char byteOrder)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    return byteOrder == '>' ? qFromBigEndian(v) : qFromLittleEndian(v);
}

double halfToDouble(quint16 h)
{
    const int sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    double v = exponent == 0 ? std::ldexp(double(mantissa), -24)
             : exponent == 31 ? (mantissa ? std::nan("") : HUGE_VAL)
                              : std::ldexp(double(mantissa | 0x400), exponent - 25);
    return sign ? -v : v;
}

QString pandasDtypeName(const NdArray &a)
{
    switch (a.kind) {
    case 'b': return QStringLiteral("bool");
    case 'i': return QStringLiteral("int%1").arg(a.itemSize * 8);
    case 'u': return QStringLiteral("uint%1").arg(a.itemSize * 8);
    case 'f': return QStringLiteral("float%1").arg(a.itemSize * 8);
    case 'c': return QStringLiteral("complex%1").arg(a.itemSize * 8);
    case 'O': return QStringLiteral("object");
    case 'M':
        if (!a.timezone.isEmpty())
            return QStringLiteral("datetime64[%1, %2]").arg(QString::fromLatin1(a.unit), a.timezone);
        return QStringLiteral("datetime64[%1]").arg(QString::fromLatin1(a.unit));
    case 'm': return QStringLiteral("timedelta64[%1]").arg(QString::fromLatin1(a.unit));
    default: return a.dtypeString();
    }
}

// pandas NDArrayBacked extension arrays (DatetimeArray, TimedeltaArray, Categorical, PandasArray):
// REDUCE(__pyx_unpickle_NDArrayBacked, (cls, checksum, None)) + BUILD((dtype, ndarray, attrs)).
bool ndArrayBacked(const PyValue &v, QByteArray *cls, const PyValue **dtype, const PyValue **values)
{
    if (!nameIs(v, "__pyx_unpickle_NDArrayBacked"))
        return false;
    const PyValue *c = arg(v, 0);
    const PyValue *st = state(v);
    if (!c || c->kind() != Kind::Object || !item(st, 1))
        return false;
    *cls = c->object().name;
    *dtype = item(st, 0);
    *values = item(st, 1);
    return true;
}

} // namespace

QString Cell::display() const
{
    switch (tag) {
    case Tag::Value:
        if (value.kind() == Kind::Str)
            return value.toQString();
        if (value.isNone())
            return QString();
        return value.repr(200);
    case Tag::TimeDelta: return QStringLiteral("%1 s").arg(seconds, 0, 'g', 15);
    default: return text;
    }
}

qint64 NdArray::size() const
{
    qint64 n = 1;
    for (qint64 s : shape)
        n *= s;
    return n;
}

QString NdArray::dtypeString() const
{
    const char order = (kind == 'b' || kind == 'O' || kind == 'S' || kind == 'V' || itemSize == 1) ? '|' : byteOrder;
    QString s = QString(QLatin1Char(order)) + QLatin1Char(kind);
    if (kind == 'O')
        return s;
    s += QString::number(kind == 'U' ? itemSize / 4 : itemSize);
    if (!unit.isEmpty())
        s += u'[' + QString::fromLatin1(unit) + u']';
    return s;
}

Cell NdArray::element(qint64 flat) const
{
    if (flat < 0 || flat >= size())
        return Cell::of(PyValue::none());
    qint64 at = flat;
    if (!strides.empty() && strides.size() == shape.size()) {
        qint64 rest = flat;
        at = 0;
        for (size_t k = shape.size(); k-- > 0;) {
            at += (rest % shape[k]) * strides[k];
            rest /= shape[k];
        }
    } else if (fortran && shape.size() > 1) {
        // C-order flat index -> multi-index -> Fortran offset.
        std::vector<qint64> idx(shape.size());
        qint64 rest = flat;
        for (size_t k = shape.size(); k-- > 0;) {
            idx[k] = rest % shape[k];
            rest /= shape[k];
        }
        at = 0;
        qint64 stride = 1;
        for (size_t k = 0; k < shape.size(); ++k) {
            at += idx[k] * stride;
            stride *= shape[k];
        }
    }
    if (kind == 'O')
        return at < qint64(objects.items().size()) ? Cell::of(objects.items()[size_t(at)]) : Cell::of(PyValue::none());
    const char *p = raw.constData() + at * itemSize;
    switch (kind) {
    case 'b': return Cell::of(PyValue::boolean(*p != 0));
    case 'i':
        switch (itemSize) {
        case 1: return Cell::of(PyValue::integer(qint8(*p)));
        case 2: return Cell::of(PyValue::integer(loadOrdered<qint16>(p, byteOrder)));
        case 4: return Cell::of(PyValue::integer(loadOrdered<qint32>(p, byteOrder)));
        case 8: return Cell::of(PyValue::integer(loadOrdered<qint64>(p, byteOrder)));
        }
        break;
    case 'u':
        switch (itemSize) {
        case 1: return Cell::of(PyValue::integer(quint8(*p)));
        case 2: return Cell::of(PyValue::integer(loadOrdered<quint16>(p, byteOrder)));
        case 4: return Cell::of(PyValue::integer(loadOrdered<quint32>(p, byteOrder)));
        case 8: {
            const quint64 u = loadOrdered<quint64>(p, byteOrder);
            if (u > quint64(std::numeric_limits<qint64>::max()))
                return Cell::of(PyValue::bigIntegerFromDecimal(QByteArray::number(u)));
            return Cell::of(PyValue::integer(qint64(u)));
        }
        }
        break;
    case 'f':
        switch (itemSize) {
        case 2: return Cell::of(PyValue::floating(halfToDouble(loadOrdered<quint16>(p, byteOrder))));
        case 4: {
            const quint32 bits = loadOrdered<quint32>(p, byteOrder);
            float f;
            std::memcpy(&f, &bits, 4);
            return Cell::of(PyValue::floating(f));
        }
        case 8: {
            const quint64 bits = loadOrdered<quint64>(p, byteOrder);
            double d;
            std::memcpy(&d, &bits, 8);
            return Cell::of(PyValue::floating(d));
        }
        }
        break;
    case 'M':
    case 'm': {
        if (itemSize != 8)
            break;
        const qint64 v = loadOrdered<qint64>(p, byteOrder);
        if (v == std::numeric_limits<qint64>::min())
            return Cell::of(PyValue::none()); // NaT
        if (kind == 'M')
            return Cell::tagged(Cell::Tag::DateTime, isoWithZone(v, unit, timezone));
        qint64 perSecond, secondsPer;
        Cell c;
        c.tag = Cell::Tag::TimeDelta;
        c.seconds = unitScale(unit, &perSecond, &secondsPer) ? double(v) * double(secondsPer) / double(perSecond) : double(v);
        return c;
    }
    case 'U': {
        QList<char32_t> chars;
        for (int k = 0; k + 4 <= itemSize; k += 4) {
            const quint32 ch = loadOrdered<quint32>(p + k, byteOrder);
            if (!ch)
                break;
            chars.append(char32_t(ch));
        }
        return Cell::of(PyValue::str(QString::fromUcs4(chars.constData(), chars.size())));
    }
    case 'S': {
        int len = itemSize;
        while (len > 0 && p[len - 1] == 0)
            --len;
        return Cell::of(PyValue::bytes(QByteArray(p, len)));
    }
    default:
        break;
    }
    return Cell::of(PyValue::bytes(QByteArray(p, itemSize)));
}

Cell NdArray::element2(qint64 i, qint64 j) const
{
    if (shape.size() != 2 || i < 0 || j < 0 || i >= shape[0] || j >= shape[1])
        return Cell::of(PyValue::none());
    return element(i * shape[1] + j);
}

qint64 PandasIndex::size() const
{
    if (kind == QLatin1String("range")) {
        if (step == 0)
            return 0;
        const qint64 n = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        return std::max<qint64>(0, n);
    }
    if (kind == QLatin1String("multi"))
        return codes.empty() ? 0 : codes[0]->size();
    return values ? values->size() : 0;
}

Cell PandasIndex::at(qint64 i) const
{
    if (kind == QLatin1String("range"))
        return Cell::of(PyValue::integer(start + i * step));
    if (kind == QLatin1String("multi")) {
        PyValue::Items parts;
        for (size_t l = 0; l < levels.size() && l < codes.size(); ++l) {
            const Cell code = codes[l]->element(i);
            const qint64 c = code.value.kind() == Kind::Int ? code.value.toInt() : -1;
            const Cell v = c < 0 ? Cell::of(PyValue::none()) : levels[l].at(c);
            parts.push_back(v.tag == Cell::Tag::Value ? v.value : PyValue::str(v.display()));
        }
        return Cell::of(PyValue::tuple(std::move(parts)));
    }
    return values ? values->element(i) : Cell::of(PyValue::none());
}

Cell DataFrameView::cell(qint64 row, int column) const
{
    if (column < 0 || column >= int(columns.size()) || row < 0 || row >= rows)
        return Cell::of(PyValue::none());
    const Column &c = columns[size_t(column)];
    if (!c.values)
        return Cell::of(PyValue::str(QStringLiteral("<%1>").arg(c.dtype)));
    if (c.mask) {
        const Cell m = c.mask->element(row);
        if (m.value.kind() == Kind::Bool && m.value.toBool())
            return Cell::of(PyValue::none());
    }
    const Cell v = c.blockRow >= 0 ? c.values->element2(c.blockRow, row) : c.values->element(row);
    if (c.categories) {
        const qint64 code = v.value.kind() == Kind::Int ? v.value.toInt() : -1;
        return code < 0 ? Cell::of(PyValue::none()) : c.categories->element(code);
    }
    return v;
}

namespace Recognisers {

QString isoFromEpoch(qint64 count, const QByteArray &unit)
{
    if (count == std::numeric_limits<qint64>::min())
        return {};
    return isoWithZone(count, unit, QString());
}

std::optional<Cell> scalar(const PyValue &v)
{
    if (v.kind() != Kind::Object)
        return std::nullopt;
    const QByteArray &module = v.object().module;
    if (!module.startsWith("datetime") && !module.startsWith("decimal") && !module.startsWith("uuid")
        && !module.startsWith("numpy") && !module.startsWith("pandas") && module != "msgpack")
        return std::nullopt;
    const QByteArray q = normalisedModule(module) + '.' + v.object().name;
    if (q == "msgpack.ExtType") {
        // The msgpack timestamp extension (type -1): 32-bit seconds; 30-bit nanoseconds and
        // 34-bit seconds; or 32-bit nanoseconds and signed 64-bit seconds. A UTC instant.
        qint64 code;
        const PyValue *data = arg(v, 1);
        if (!intOf(arg(v, 0), &code) || code != -1 || !data || data->kind() != Kind::Bytes)
            return std::nullopt;
        const QByteArray &b = data->bytesData();
        const auto *p = reinterpret_cast<const uchar *>(b.constData());
        qint64 secs = 0, nanos = 0;
        if (b.size() == 4) {
            secs = qFromBigEndian<quint32>(p);
        } else if (b.size() == 8) {
            const quint64 x = qFromBigEndian<quint64>(p);
            nanos = qint64(x >> 34);
            secs = qint64(x & ((quint64(1) << 34) - 1));
        } else if (b.size() == 12) {
            nanos = qFromBigEndian<quint32>(p);
            secs = qFromBigEndian<qint64>(p + 4);
        } else {
            return std::nullopt;
        }
        if (nanos > 999999999)
            return std::nullopt;
        return Cell::tagged(Cell::Tag::DateTime, isoFromSeconds(secs, nanos) + offsetText(0));
    }
    if (q == "datetime.datetime" || q == "datetime.date" || q == "datetime.time") {
        const QByteArray b = stateBytes(v);
        const uchar *p = reinterpret_cast<const uchar *>(b.constData());
        if (q == "datetime.date" && b.size() == 4)
            return Cell::tagged(Cell::Tag::Date, QStringLiteral("%1-%2-%3").arg((p[0] << 8) | p[1], 4, 10, QLatin1Char('0')).arg(p[2], 2, 10, QLatin1Char('0')).arg(p[3], 2, 10, QLatin1Char('0')));
        if (q == "datetime.datetime" && b.size() == 10) {
            const int year = (p[0] << 8) | p[1], month = p[2] & 0x7f, day = p[3];
            const qint64 micro = (qint64(p[7]) << 16) | (p[8] << 8) | p[9];
            const QDate d(year, month, day);
            if (!d.isValid())
                return std::nullopt;
            const qint64 local = (d.toJulianDay() - 2440588) * 86400 + p[4] * 3600 + p[5] * 60 + p[6];
            QString text = isoFromSeconds(local, micro * 1000);
            if (const PyValue *tz = arg(v, 1)) {
                if (auto off = tzOffset(*tz, local))
                    text += offsetText(*off);
            }
            return Cell::tagged(Cell::Tag::DateTime, text);
        }
        if (q == "datetime.time" && b.size() == 6) {
            const qint64 micro = (qint64(p[3]) << 16) | (p[4] << 8) | p[5];
            QString text = QStringLiteral("%1:%2:%3").arg(p[0] & 0x7f, 2, 10, QLatin1Char('0')).arg(p[1], 2, 10, QLatin1Char('0')).arg(p[2], 2, 10, QLatin1Char('0'));
            if (micro)
                text += QStringLiteral(".%1").arg(micro, 6, 10, QLatin1Char('0'));
            if (const PyValue *tz = arg(v, 1)) {
                if (auto off = tzOffset(*tz, 0))
                    text += offsetText(*off);
            }
            return Cell::tagged(Cell::Tag::Time, text);
        }
        return std::nullopt;
    }
    if (q == "datetime.timedelta") {
        bool ok;
        const double s = timedeltaSeconds(v, &ok);
        if (!ok)
            return std::nullopt;
        Cell c;
        c.tag = Cell::Tag::TimeDelta;
        c.seconds = s;
        return c;
    }
    if (q == "decimal.Decimal") {
        const PyValue *a = arg(v, 0);
        if (a && a->kind() == Kind::Str)
            return Cell::tagged(Cell::Tag::Decimal, a->toQString());
        return std::nullopt;
    }
    if (q == "uuid.UUID") {
        const PyValue *i = stateGet(v, "int");
        if (!i || !i->isInt())
            return std::nullopt;
        QByteArray le = i->kind() == Kind::BigInt ? i->bytesData() : QByteArray();
        if (i->kind() == Kind::Int) {
            qint64 x = i->toInt();
            le.resize(8);
            qToLittleEndian(x, le.data());
        }
        le = le.left(16);
        while (le.size() < 16)
            le.append('\0');
        QByteArray be(16, '\0');
        for (int k = 0; k < 16; ++k)
            be[k] = le[15 - k];
        const QByteArray hex = be.toHex();
        return Cell::tagged(Cell::Tag::Uuid, QString::fromLatin1(hex.mid(0, 8) + '-' + hex.mid(8, 4) + '-' + hex.mid(12, 4) + '-' + hex.mid(16, 4) + '-' + hex.mid(20)));
    }
    if (q == "numpy.core.multiarray.scalar") {
        const PyValue *dt = arg(v, 0);
        const PyValue *data = arg(v, 1);
        if (!dt || !data)
            return std::nullopt;
        const auto d = dtypeOf(*dt);
        if (!d)
            return std::nullopt;
        if (d->kind == 'O')
            return Cell::of(*data);
        if (auto a = makeArray(*d, {}, false, *data))
            return a->element(0);
        return std::nullopt;
    }
    if (q == "pandas._libs.tslibs.timestamps._unpickle_timestamp") {
        qint64 value, reso = 10;
        if (!intOf(arg(v, 0), &value))
            return std::nullopt;
        intOf(arg(v, 3), &reso);
        const QByteArray unit = reso == 7 ? "s" : reso == 8 ? "ms" : reso == 9 ? "us" : "ns";
        const PyValue *tz = arg(v, 2);
        return Cell::tagged(Cell::Tag::DateTime, isoWithZone(value, unit, tz ? zoneName(*tz) : QString()));
    }
    if (q == "pandas._libs.tslibs.nattype.__nat_unpickle")
        return Cell::of(PyValue::none());
    if (q == "pandas._libs.missing.NA") // pd.NA (missing in string/boolean/Int64 arrays) pickles by name
        return Cell::of(PyValue::none());
    if (q == "pandas._libs.tslibs.timedeltas._timedelta_unpickle") {
        qint64 value, reso = 10;
        if (!intOf(arg(v, 0), &value))
            return std::nullopt;
        intOf(arg(v, 1), &reso);
        Cell c;
        c.tag = Cell::Tag::TimeDelta;
        c.seconds = double(value) / (reso == 7 ? 1.0 : reso == 8 ? 1e3 : reso == 9 ? 1e6 : 1e9);
        return c;
    }
    return std::nullopt;
}

std::optional<NdArray> ndarray(const PyValue &v)
{
    if (v.kind() != Kind::Object)
        return std::nullopt;
    if (isObject(v, "numpy.core.multiarray._reconstruct")) {
        const PyValue *st = state(v);
        if (!st || !st->isSequence())
            return std::nullopt;
        // (version, shape, dtype, is_fortran, data); version may be absent in very old pickles.
        const size_t base = st->items().size() == 5 ? 1 : 0;
        const auto shape = shapeOf(item(st, base));
        const PyValue *dt = item(st, base + 1);
        const PyValue *fortran = item(st, base + 2);
        const PyValue *data = item(st, base + 3);
        if (!shape || !dt || !data)
            return std::nullopt;
        const auto d = dtypeOf(*dt);
        if (!d)
            return std::nullopt;
        return makeArray(*d, *shape, fortran && fortran->kind() == Kind::Bool && fortran->toBool(), *data);
    }
    if (isObject(v, "numpy.core.numeric._frombuffer")) {
        const PyValue *buffer = arg(v, 0);
        const PyValue *dt = arg(v, 1);
        const auto shape = shapeOf(arg(v, 2));
        const PyValue *order = arg(v, 3);
        if (!buffer || !dt || !shape)
            return std::nullopt;
        const auto d = dtypeOf(*dt);
        if (!d)
            return std::nullopt;
        const bool fortran = order && order->kind() == Kind::Str && order->bytesData() == "F";
        // numpy 2: order "K" with axis_order = reshape(shape, "C").transpose(axis_order).
        const auto axisOrder = shapeOf(arg(v, 4));
        if (order && order->kind() == Kind::Str && order->bytesData() == "K" && axisOrder && axisOrder->size() == shape->size()) {
            auto a = makeArray(*d, *shape, false, *buffer);
            if (!a)
                return std::nullopt;
            const size_t n = shape->size();
            std::vector<qint64> base(n, 1);
            for (size_t k = n - 1; k-- > 0;)
                base[k] = base[k + 1] * (*shape)[k + 1];
            std::vector<qint64> finalShape(n), strides(n);
            std::vector<bool> seen(n, false);
            for (size_t k = 0; k < n; ++k) {
                const qint64 ax = (*axisOrder)[k];
                if (ax < 0 || ax >= qint64(n) || seen[size_t(ax)])
                    return std::nullopt;
                seen[size_t(ax)] = true;
                finalShape[k] = (*shape)[size_t(ax)];
                strides[k] = base[size_t(ax)];
            }
            a->shape = finalShape;
            a->strides = strides;
            return a;
        }
        return makeArray(*d, *shape, fortran, *buffer);
    }
    return std::nullopt;
}

std::optional<PandasIndex> index(const PyValue &v)
{
    PandasIndex idx;
    idx.raw = v;
    if (auto a = ndarray(v)) {
        idx.values = std::make_shared<NdArray>(std::move(*a));
        return idx;
    }
    const bool newIndex = isObject(v, "pandas.core.indexes.base._new_Index") || isObject(v, "pandas.core.indexes.datetimes._new_DatetimeIndex");
    if (!newIndex)
        return std::nullopt;
    const PyValue *cls = arg(v, 0);
    const PyValue *d = arg(v, 1);
    if (!cls || cls->kind() != Kind::Object || !d || d->kind() != Kind::Dict)
        return std::nullopt;
    const QByteArray name = cls->object().name;
    if (const PyValue *n = d->get("name"))
        idx.name = *n;
    else if (const PyValue *ns = d->get("names"))
        idx.name = *ns;
    if (name == "RangeIndex") {
        idx.kind = QStringLiteral("range");
        intOf(d->get("start"), &idx.start);
        intOf(d->get("stop"), &idx.stop);
        intOf(d->get("step"), &idx.step);
        return idx;
    }
    if (name == "MultiIndex") {
        idx.kind = QStringLiteral("multi");
        const PyValue *levels = d->get("levels");
        const PyValue *codes = d->get("codes");
        if (levels && levels->isSequence() && codes && codes->isSequence() && levels->items().size() == codes->items().size()) {
            for (size_t l = 0; l < levels->items().size(); ++l) {
                auto level = index(levels->items()[l]);
                auto code = ndarray(codes->items()[l]);
                if (!level || !code)
                    return idx;
                idx.levels.push_back(std::move(*level));
                idx.codes.push_back(std::make_shared<NdArray>(std::move(*code)));
            }
        }
        return idx;
    }
    const PyValue *data = d->get("data");
    if (!data)
        return idx;
    if (auto a = ndarray(*data)) {
        idx.values = std::make_shared<NdArray>(std::move(*a));
        idx.kind = idx.values->kind == 'M' ? QStringLiteral("datetime") : QStringLiteral("index");
        return idx;
    }
    QByteArray backedClass;
    const PyValue *dtype = nullptr, *values = nullptr;
    if (ndArrayBacked(*data, &backedClass, &dtype, &values)) {
        if (auto a = ndarray(*values)) {
            if (dtype && nameIs(*dtype, "DatetimeTZDtype")) {
                if (const PyValue *tz = stateGet(*dtype, "tz"))
                    a->timezone = zoneName(*tz);
            }
            idx.values = std::make_shared<NdArray>(std::move(*a));
            idx.kind = idx.values->kind == 'M' ? QStringLiteral("datetime") : QStringLiteral("index");
            return idx;
        }
    }
    idx.kind = QStringLiteral("other");
    return idx;
}

namespace {

// A block's values: plain ndarray, NDArrayBacked extension (datetimes, categoricals) or a
// masked array (IntegerArray/BooleanArray/FloatingArray). Fills every column of `into` whose
// position is listed.
bool blockColumns(const PyValue &values, DataFrameView::Column *proto)
{
    if (auto a = ndarray(values)) {
        proto->values = std::make_shared<NdArray>(std::move(*a));
        proto->dtype = pandasDtypeName(*proto->values);
        return true;
    }
    QByteArray cls;
    const PyValue *dtype = nullptr, *data = nullptr;
    if (ndArrayBacked(values, &cls, &dtype, &data)) {
        auto a = ndarray(*data);
        if (!a)
            return false;
        if (cls == "Categorical" && dtype) {
            const PyValue *cats = stateGet(*dtype, "categories");
            auto catIndex = cats ? index(*cats) : std::nullopt;
            if (catIndex && catIndex->values) {
                proto->categories = catIndex->values;
                proto->dtype = QStringLiteral("category");
            }
        } else if (dtype && nameIs(*dtype, "DatetimeTZDtype")) {
            if (const PyValue *tz = stateGet(*dtype, "tz"))
                a->timezone = zoneName(*tz);
        } else if (dtype && nameIs(*dtype, "StringDtype")) {
            // StringArray (dtype="string") keeps an object ndarray; its dtype is what df.dtypes
            // prints: "string", or "string[pyarrow]" for another storage.
            const PyValue *storage = stateGet(*dtype, "storage");
            const bool python = !storage || storage->kind() != Kind::Str || storage->bytesData() == "python";
            proto->dtype = python ? QStringLiteral("string") : QStringLiteral("string[%1]").arg(storage->toQString());
        }
        proto->values = std::make_shared<NdArray>(std::move(*a));
        if (proto->dtype.isEmpty())
            proto->dtype = pandasDtypeName(*proto->values);
        return true;
    }
    const PyValue *data2 = stateGet(values, "_data");
    const PyValue *mask = stateGet(values, "_mask");
    if (data2 && mask) {
        auto a = ndarray(*data2);
        auto m = ndarray(*mask);
        if (!a || !m)
            return false;
        proto->values = std::make_shared<NdArray>(std::move(*a));
        proto->mask = std::make_shared<NdArray>(std::move(*m));
        const QString base = pandasDtypeName(*proto->values);
        proto->dtype = base == QLatin1String("bool") ? QStringLiteral("boolean") : base.at(0).toUpper() + base.mid(1);
        return true;
    }
    // StringArray and friends keep an object ndarray in a "_ndarray" slot.
    if (const PyValue *nd = stateGet(values, "_ndarray")) {
        if (auto a = ndarray(*nd)) {
            proto->values = std::make_shared<NdArray>(std::move(*a));
            proto->dtype = QStringLiteral("string");
            return true;
        }
    }
    return false;
}

std::vector<qint64> placementOf(const PyValue &p)
{
    std::vector<qint64> out;
    if (isObject(p, "builtins.slice")) {
        qint64 start = 0, stop = 0, step = 1;
        if (!intOf(arg(p, 0), &start))
            start = 0;
        intOf(arg(p, 1), &stop);
        if (!intOf(arg(p, 2), &step) || step == 0)
            step = 1;
        for (qint64 i = start; (step > 0 ? i < stop : i > stop) && out.size() < 10'000'000; i += step)
            out.push_back(i);
        return out;
    }
    if (auto a = ndarray(p)) {
        for (qint64 i = 0; i < a->size(); ++i) {
            const Cell c = a->element(i);
            if (c.value.kind() == Kind::Int)
                out.push_back(c.value.toInt());
        }
    }
    if (p.kind() == Kind::Int)
        out.push_back(p.toInt());
    return out;
}

} // namespace

namespace {

// The manager's blocks (values, placement) and axes, from either pickle layout:
// REDUCE(BlockManager, (blocks, axes)) / REDUCE(SingleBlockManager, (block, index)) with
// _unpickle_block blocks, or NEWOBJ + BUILD with the "0.14.1" state dict {axes, blocks:[{values, mgr_locs}]}.
struct ManagerParts
{
    std::vector<std::pair<const PyValue *, const PyValue *>> blocks; // values, placement (may be null)
    std::vector<const PyValue *> axes;
};

std::optional<ManagerParts> managerParts(const PyValue &mgr, bool single)
{
    ManagerParts parts;
    const PyValue *st = state(mgr);
    if (const PyValue *legacy = item(st, 3); legacy && legacy->kind() == Kind::Dict) {
        const PyValue *d = legacy->get("0.14.1");
        if (!d || d->kind() != Kind::Dict)
            return std::nullopt;
        const PyValue *axes = d->get("axes");
        const PyValue *blocks = d->get("blocks");
        if (!axes || !axes->isSequence() || !blocks || !blocks->isSequence())
            return std::nullopt;
        for (const auto &a : axes->items())
            parts.axes.push_back(&a);
        for (const auto &b : blocks->items()) {
            if (b.kind() != Kind::Dict || !b.get("values"))
                return std::nullopt;
            parts.blocks.emplace_back(b.get("values"), b.get("mgr_locs"));
        }
        return parts;
    }
    const PyValue *a0 = arg(mgr, 0);
    const PyValue *a1 = arg(mgr, 1);
    if (!a0 || !a1)
        return std::nullopt;
    if (single) {
        parts.axes.push_back(a1);
        if (nameIs(*a0, "_unpickle_block") || nameIs(*a0, "new_block"))
            parts.blocks.emplace_back(arg(*a0, 0), arg(*a0, 1));
        else
            parts.blocks.emplace_back(a0, nullptr);
        return parts;
    }
    if (!a1->isSequence() || !a0->isSequence())
        return std::nullopt;
    for (const auto &a : a1->items())
        parts.axes.push_back(&a);
    for (const auto &b : a0->items()) {
        if (!nameIs(b, "_unpickle_block") && !nameIs(b, "new_block"))
            return std::nullopt;
        parts.blocks.emplace_back(arg(b, 0), arg(b, 1));
    }
    return parts;
}

} // namespace

std::optional<DataFrameView> dataFrame(const PyValue &v)
{
    const bool frame = isObject(v, "pandas.core.frame.DataFrame");
    const bool series = isObject(v, "pandas.core.series.Series");
    if (!frame && !series)
        return std::nullopt;
    const PyValue *mgr = stateGet(v, "_mgr");
    if (!mgr)
        mgr = stateGet(v, "_data"); // pandas < 1.1 named the manager _data
    if (!mgr || mgr->kind() != Kind::Object)
        return std::nullopt;
    auto parts = managerParts(*mgr, series);
    if (!parts)
        return std::nullopt;
    DataFrameView df;
    df.isSeries = series;
    if (series) {
        if (parts->axes.size() != 1 || parts->blocks.size() != 1 || !parts->blocks[0].first)
            return std::nullopt;
        auto idx = index(*parts->axes[0]);
        if (!idx)
            return std::nullopt;
        df.index = std::move(*idx);
        DataFrameView::Column col;
        if (const PyValue *n = stateGet(v, "name"))
            col.label = Cell::of(*n);
        if (!blockColumns(*parts->blocks[0].first, &col))
            return std::nullopt;
        if (col.values && col.values->shape.size() == 2)
            col.blockRow = 0;
        df.rows = df.index.size();
        if (col.values && col.blockRow < 0 && col.values->size() != df.rows)
            return std::nullopt;
        df.columns.push_back(std::move(col));
        return df;
    }
    if (parts->axes.size() != 2)
        return std::nullopt;
    auto columnsIndex = index(*parts->axes[0]);
    auto rowIndex = index(*parts->axes[1]);
    if (!columnsIndex || !rowIndex)
        return std::nullopt;
    df.index = std::move(*rowIndex);
    df.rows = df.index.size();
    const qint64 ncols = columnsIndex->size();
    if (ncols < 0 || ncols > 10'000'000)
        return std::nullopt;
    df.columns.resize(size_t(ncols));
    for (qint64 c = 0; c < ncols; ++c) {
        df.columns[size_t(c)].label = columnsIndex->at(c);
        df.columns[size_t(c)].dtype = QStringLiteral("unknown");
    }
    for (const auto &[values, placement] : parts->blocks) {
        if (!values || !placement)
            return std::nullopt;
        DataFrameView::Column proto;
        const bool known = blockColumns(*values, &proto);
        const std::vector<qint64> positions = placementOf(*placement);
        for (size_t k = 0; k < positions.size(); ++k) {
            const qint64 pos = positions[k];
            if (pos < 0 || pos >= ncols)
                return std::nullopt;
            DataFrameView::Column &col = df.columns[size_t(pos)];
            const Cell label = col.label;
            col = proto;
            col.label = label;
            if (!known) {
                col.opaque = *values;
                col.dtype = values->kind() == Kind::Object ? QString::fromLatin1(values->object().qualifiedName()) : QStringLiteral("unknown");
                continue;
            }
            if (col.values->shape.size() == 2) {
                if (qint64(k) >= col.values->shape[0] || col.values->shape[1] != df.rows)
                    return std::nullopt;
                col.blockRow = qint64(k);
            } else if (col.values->size() != df.rows) {
                return std::nullopt;
            }
        }
    }
    return df;
}

std::optional<PyValue> mapping(const PyValue &v)
{
    if (!isObject(v, "collections.OrderedDict") && !isObject(v, "collections.defaultdict"))
        return std::nullopt;
    PyValue::Pairs pairs = v.object().dictItems;
    // OrderedDict may also carry its items as a list of pairs argument.
    if (isObject(v, "collections.OrderedDict")) {
        if (const PyValue *a = arg(v, 0); a && a->isSequence()) {
            for (const auto &kv : a->items()) {
                if (kv.isSequence() && kv.items().size() == 2)
                    pairs.emplace_back(kv.items()[0], kv.items()[1]);
            }
        }
    }
    return PyValue::dict(std::move(pairs));
}

} // namespace Recognisers

} // namespace cachescope
