#include "decodejson.h"

#include "arrowcell.h"
#include "utf8.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace cachescope {

namespace {

class Writer
{
public:
    explicit Writer(int maxRows) : m_maxRows(maxRows) {}
    QByteArray out;

    // Shared references (pickle memo) let a small input name one big container many times;
    // rendering stops after this many values so output stays bounded.
    static constexpr qint64 kMaxValues = 2'000'000;
    bool spend()
    {
        if (--m_budget >= 0)
            return true;
        out += "{\"__truncated__\":true}";
        return false;
    }

    void utf8(QByteArrayView bytes)
    {
        for (char ch : bytes) {
            if (uchar(ch) >= 0x80) {
                // Python str may hold lone surrogates; QString replaces invalid sequences so the
                // output is always valid JSON (utf8::toString: a leading U+FEFF is kept).
                string(utf8::toString(bytes));
                return;
            }
        }
        out += '"';
        escapeAscii(bytes);
        out += '"';
    }
    void escapeAscii(QByteArrayView bytes)
    {
        qsizetype run = 0;
        for (qsizetype i = 0; i < bytes.size(); ++i) {
            const uchar u = uchar(bytes[i]);
            if (u >= 0x20 && u != '"' && u != '\\')
                continue;
            out.append(bytes.data() + run, i - run);
            run = i + 1;
            switch (u) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default: {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(u));
                out += buf;
            }
            }
        }
        out.append(bytes.data() + run, bytes.size() - run);
    }
    void string(const QString &s)
    {
        out += '"';
        escapeAscii(s.toUtf8()); // bytes >= 0x80 pass through unchanged: valid UTF-8 from QString
        out += '"';
    }
    void key(const char *k)
    {
        utf8(QByteArrayView(k, qstrlen(k)));
        out += ':';
    }
    void number(double d)
    {
        if (std::isnan(d)) {
            out += "{\"__float__\":\"nan\"}";
        } else if (std::isinf(d)) {
            out += d > 0 ? "{\"__float__\":\"inf\"}" : "{\"__float__\":\"-inf\"}";
        } else if (d == 0) {
            out += std::signbit(d) ? "-0.0" : "0.0";
        } else {
            QByteArray t = QByteArray::number(d, 'g', 17);
            // Shortest round-trip form, like Python's repr.
            for (int prec = 1; prec <= 17; ++prec) {
                const QByteArray c = QByteArray::number(d, 'g', prec);
                if (c.toDouble() == d) {
                    t = c;
                    break;
                }
            }
            if (!t.contains('.') && !t.contains('e') && !t.contains("inf") && !t.contains("nan"))
                t += ".0";
            out += t;
        }
    }
    void integer(const PyValue &v)
    {
        if (v.kind() == PyValue::Kind::Int && std::llabs(v.toInt()) < (qint64(1) << 53)) {
            out += QByteArray::number(v.toInt());
            return;
        }
        out += "{\"__int__\":";
        utf8(v.bigIntDecimal());
        out += '}';
    }
    void tagged(const char *tag, const QString &text)
    {
        out += '{';
        key(tag);
        string(text);
        out += '}';
    }

    void cell(const Cell &c, int depth)
    {
        if (c.tag != Cell::Tag::Value && !spend())
            return;
        switch (c.tag) {
        case Cell::Tag::Value: value(c.value, depth); return;
        case Cell::Tag::DateTime: tagged("__datetime__", c.text); return;
        case Cell::Tag::Date: tagged("__date__", c.text); return;
        case Cell::Tag::Time: tagged("__time__", c.text); return;
        case Cell::Tag::Decimal: tagged("__decimal__", c.text); return;
        case Cell::Tag::Uuid: tagged("__uuid__", c.text); return;
        case Cell::Tag::TimeDelta:
            out += "{\"__timedelta__\":";
            number(c.seconds);
            out += '}';
            return;
        }
    }

    void items(const PyValue::Items &xs, int depth)
    {
        out += '[';
        for (size_t i = 0; i < xs.size(); ++i) {
            if (i)
                out += ',';
            value(xs[i], depth + 1);
        }
        out += ']';
    }

    void wrapped(const char *tag, const PyValue::Items &xs, int depth)
    {
        out += '{';
        key(tag);
        items(xs, depth);
        out += '}';
    }

    void dict(const PyValue::Pairs &pairs, int depth)
    {
        bool strKeys = true;
        for (const auto &p : pairs) {
            if (p.first.kind() != PyValue::Kind::Str) {
                strKeys = false;
                break;
            }
        }
        if (strKeys) {
            out += '{';
            for (size_t i = 0; i < pairs.size(); ++i) {
                if (i)
                    out += ',';
                utf8(pairs[i].first.bytesData());
                out += ':';
                value(pairs[i].second, depth + 1);
            }
            out += '}';
            return;
        }
        out += "{\"__dict__\":[";
        for (size_t i = 0; i < pairs.size(); ++i) {
            if (i)
                out += ',';
            out += '[';
            value(pairs[i].first, depth + 1);
            out += ',';
            value(pairs[i].second, depth + 1);
            out += ']';
        }
        out += "]}";
    }

    void ndarrayData(const NdArray &a, size_t dim, qint64 base, int depth)
    {
        out += '[';
        if (a.shape.empty()) {
            out += ']';
            return;
        }
        qint64 stride = 1;
        for (size_t k = dim + 1; k < a.shape.size(); ++k)
            stride *= a.shape[k];
        const qint64 n = dim == 0 ? std::min<qint64>(a.shape[0], m_maxRows) : a.shape[dim];
        for (qint64 i = 0; i < n; ++i) {
            if (i)
                out += ',';
            if (dim + 1 == a.shape.size())
                cell(a.element(base + i), depth + 1);
            else
                ndarrayData(a, dim + 1, base + i * stride, depth + 1);
        }
        out += ']';
    }

    void ndarray(const NdArray &a, int depth)
    {
        out += "{\"__ndarray__\":{";
        key("dtype");
        string(a.dtypeString());
        out += ",\"shape\":[";
        for (size_t k = 0; k < a.shape.size(); ++k) {
            if (k)
                out += ',';
            out += QByteArray::number(a.shape[k]);
        }
        out += "],\"data\":";
        if (a.shape.empty())
            cell(a.element(0), depth);
        else
            ndarrayData(a, 0, 0, depth);
        out += "}}";
    }

    void dataFrame(const DataFrameView &df, int depth)
    {
        out += "{\"__dataframe__\":{\"columns\":[";
        for (size_t c = 0; c < df.columns.size(); ++c) {
            if (c)
                out += ',';
            cell(df.columns[c].label, depth + 1);
        }
        out += "],\"dtypes\":[";
        for (size_t c = 0; c < df.columns.size(); ++c) {
            if (c)
                out += ',';
            string(df.columns[c].dtype);
        }
        const qint64 n = std::min<qint64>(df.rows, m_maxRows);
        out += "],\"index\":[";
        for (qint64 r = 0; r < n; ++r) {
            if (r)
                out += ',';
            cell(df.index.at(r), depth + 1);
        }
        out += "],\"data\":[";
        for (qint64 r = 0; r < n; ++r) {
            if (r)
                out += ',';
            out += '[';
            for (size_t c = 0; c < df.columns.size(); ++c) {
                if (c)
                    out += ',';
                cell(df.cell(r, int(c)), depth + 1);
            }
            out += ']';
        }
        out += "],\"rows\":" + QByteArray::number(df.rows);
        if (df.isSeries)
            out += ",\"series\":true";
        out += "}}";
    }

    void object(const PyValue &v, int depth)
    {
        m_budget -= 4; // recognising an object costs more than a scalar
        if (auto c = Recognisers::scalar(v)) {
            cell(*c, depth);
            return;
        }
        if (auto a = Recognisers::ndarray(v)) {
            ndarray(*a, depth);
            return;
        }
        if (auto df = Recognisers::dataFrame(v)) {
            dataFrame(*df, depth);
            return;
        }
        if (auto m = Recognisers::mapping(v)) {
            dict(m->pairs(), depth);
            return;
        }
        const auto &o = v.object();
        out += '{';
        key("__object__");
        utf8(o.qualifiedName());
        if (o.args) {
            out += ',';
            key("args");
            items(*o.args, depth);
        }
        if (o.kwargs) {
            out += ',';
            key("kwargs");
            dict(*o.kwargs, depth);
        }
        if (o.state) {
            out += ',';
            key("state");
            value(*o.state, depth + 1);
        }
        if (!o.listItems.empty()) {
            out += ',';
            key("listitems");
            items(o.listItems, depth);
        }
        if (!o.dictItems.empty()) {
            out += ',';
            key("dictitems");
            dict(o.dictItems, depth);
        }
        out += '}';
    }

    void value(const PyValue &v, int depth)
    {
        if (!spend())
            return;
        if (depth > 900) { // shared containers can be cyclic; stop instead of recursing forever
            out += "{\"__truncated__\":true}";
            return;
        }
        switch (v.kind()) {
        case PyValue::Kind::None: out += "null"; return;
        case PyValue::Kind::Bool: out += v.toBool() ? "true" : "false"; return;
        case PyValue::Kind::Int:
        case PyValue::Kind::BigInt: integer(v); return;
        case PyValue::Kind::Float: number(v.toFloat()); return;
        case PyValue::Kind::Str: utf8(v.bytesData()); return;
        case PyValue::Kind::Bytes:
            out += "{\"__bytes__\":\"" + v.bytesData().toBase64() + "\"}";
            return;
        case PyValue::Kind::ByteArray:
            out += "{\"__bytearray__\":\"" + v.bytesData().toBase64() + "\"}";
            return;
        case PyValue::Kind::List: items(v.items(), depth); return;
        case PyValue::Kind::Tuple: wrapped("__tuple__", v.items(), depth); return;
        case PyValue::Kind::Set: wrapped("__set__", v.items(), depth); return;
        case PyValue::Kind::FrozenSet: wrapped("__frozenset__", v.items(), depth); return;
        case PyValue::Kind::Dict: dict(v.pairs(), depth); return;
        case PyValue::Kind::Object: object(v, depth); return;
        }
    }

    void table(const ArrowTable &t)
    {
        out += "{\"__arrow__\":{\"schema\":[";
        for (size_t c = 0; c < t.schema.size(); ++c) {
            if (c)
                out += ',';
            out += '{';
            key("name");
            string(t.schema[c].name);
            out += ',';
            key("type");
            string(t.schema[c].typeString());
            out += ",\"nullable\":";
            out += t.schema[c].nullable ? "true" : "false";
            out += '}';
        }
        out += "],\"rows\":" + QByteArray::number(t.rowCount()) + ",\"data\":[";
        qint64 written = 0;
        for (const auto &batch : t.batches) {
            for (qint64 r = 0; r < batch.length && written < m_maxRows; ++r, ++written) {
                if (written)
                    out += ',';
                out += '[';
                for (size_t c = 0; c < batch.columns.size(); ++c) {
                    if (c)
                        out += ',';
                    cell(ArrowCell::at(batch.columns[c], r, &t.schema[c]), 0);
                }
                out += ']';
            }
        }
        out += "]}}";
    }

    void image(const ImageInfo &info)
    {
        out += "{\"__image__\":{";
        key("format");
        string(info.format);
        out += ",\"width\":" + QByteArray::number(info.width) + ",\"height\":" + QByteArray::number(info.height) + "}}";
    }

private:
    int m_maxRows;
    qint64 m_budget = kMaxValues;
};

} // namespace

namespace DecodeJson {

QByteArray value(const PyValue &v, int maxRows)
{
    Writer w(maxRows);
    w.value(v, 0);
    return w.out;
}

QByteArray table(const ArrowTable &t, int maxRows)
{
    Writer w(maxRows);
    w.table(t);
    return w.out;
}

QByteArray cell(const Cell &c, int maxRows)
{
    Writer w(maxRows);
    w.cell(c, 0);
    return w.out;
}

QByteArray result(const DecodeResult &r, int maxRows)
{
    Writer w(maxRows);
    w.out += "{\"layers\":[";
    for (size_t i = 0; i < r.layers.size(); ++i) {
        const DecodeLayer &l = r.layers[i];
        if (i)
            w.out += ',';
        w.out += '{';
        w.key("kind");
        w.string(DecodeLayer::kindName(l.kind));
        w.out += ",\"offset\":" + QByteArray::number(l.offset) + ",\"size\":" + QByteArray::number(l.size) + ",\"notes\":";
        w.out += QJsonDocument(QJsonObject::fromVariantMap(l.notes)).toJson(QJsonDocument::Compact);
        w.out += '}';
    }
    w.out += ']';
    if (!r.shape.isEmpty()) {
        w.out += ',';
        w.key("shape");
        w.string(r.shape);
    }
    if (!r.ok()) {
        w.out += ',';
        w.key("error");
        w.string(r.error);
        w.out += '}';
        return w.out;
    }
    w.out += ",\"value\":";
    switch (r.finalKind) {
    case DecodeResult::FinalKind::Table:
        w.table(*r.table);
        break;
    case DecodeResult::FinalKind::Image:
        w.image(*r.image);
        break;
    case DecodeResult::FinalKind::Text:
        w.utf8(r.bytes);
        break;
    case DecodeResult::FinalKind::Raw:
        w.value(PyValue::bytes(r.bytes), 0);
        break;
    case DecodeResult::FinalKind::Integer:
        w.value(r.value, 0);
        break;
    case DecodeResult::FinalKind::Value:
        if (r.value.kind() == PyValue::Kind::Dict && (!r.tableKey.isEmpty() || !r.imageKey.isEmpty())) {
            // Superset shapes: the table/image replaces the raw field it came from.
            w.out += '{';
            bool first = true;
            for (const auto &p : r.value.pairs()) {
                if (!first)
                    w.out += ',';
                first = false;
                w.value(p.first.kind() == PyValue::Kind::Str ? p.first : PyValue::str(p.first.repr()), 1);
                w.out += ':';
                const QByteArray k = p.first.kind() == PyValue::Kind::Str ? p.first.bytesData() : QByteArray();
                if (!r.tableKey.isEmpty() && k == r.tableKey && r.table)
                    w.table(*r.table);
                else if (!r.imageKey.isEmpty() && k == r.imageKey && r.image)
                    w.image(*r.image);
                else
                    w.value(p.second, 1);
            }
            w.out += '}';
        } else {
            w.value(r.value, 0);
        }
        break;
    }
    w.out += '}';
    return w.out;
}

} // namespace DecodeJson

} // namespace cachescope
