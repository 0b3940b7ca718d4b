// msgpack decode/encode against python's msgpack 1.0.3, and the limits that stop hostile headers.
#include "codec/decodejson.h"
#include "codec/msgpackdecoder.h"
#include "codec/msgpackencoder.h"
#include "python.h"
#include "checkok.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace cachescope;

class TestMsgpack : public QObject
{
    Q_OBJECT

private slots:
    void decodesWhatPythonWrites()
    {
        auto packed = test::runPython(QStringLiteral(
            "import msgpack, sys\n"
            "v = {'i': [0, 127, 128, 255, 256, 65536, 2**32, 2**63, 2**64 - 1, -1, -32, -33, -129, -2**31 - 1, -2**63],\n"
            "     's': 'h\\u00e9llo' * 20, 'b': b'\\x00\\xff' * 200, 'f': 1.5, 'n': None, 't': True, 'tu': (1, 2),\n"
            "     'm': {1: 'x'}, 'e': msgpack.ExtType(5, b'ab')}\n"
            "sys.stdout.buffer.write(msgpack.dumps(v, use_bin_type=True))\n"));
        QVERIFY(packed.hasValue());
        auto v = MsgpackDecoder().decode(*packed);
        QVERIFY2(v.hasValue(), v.hasValue() ? "" : qPrintable(v.error()));
        QCOMPARE(v->consumed, packed->size());
        // Python re-reads our JSON rendering of its own data and checks every value.
        auto check = test::runPython(QStringLiteral(
            "import json, sys, base64\n"
            "d = json.loads(sys.stdin.read())\n"
            "def i(x): return int(x['__int__']) if isinstance(x, dict) else x\n"
            "ok = [i(x) for x in d['i']] == [0, 127, 128, 255, 256, 65536, 2**32, 2**63, 2**64 - 1, -1, -32, -33, -129, -2**31 - 1, -2**63]\n"
            "ok = ok and d['s'] == 'h\\u00e9llo' * 20 and base64.b64decode(d['b']['__bytes__']) == b'\\x00\\xff' * 200\n"
            "ok = ok and d['f'] == 1.5 and d['n'] is None and d['t'] is True and d['tu'] == [1, 2]\n"
            "ok = ok and d['m'] == {'__dict__': [[1, 'x']]} and d['e']['__object__'] == 'msgpack.ExtType'\n"
            "print('ok' if ok else 'bad ' + json.dumps(d)[:500])\n"), {}, DecodeJson::value(v->value));
        QVERIFY(check.hasValue());
        QCOMPARE(check->trimmed(), QByteArray("ok"));
    }

    void takingTheBufferAdoptsTheBigBinAndKeepsEverythingElse()
    {
        // A SQL Lab-like map: the big bin sits between strings, and trailing bytes follow.
        QByteArray big(3 << 20, Qt::Uninitialized);
        for (qsizetype i = 0; i < big.size(); ++i)
            big[i] = char(i * 131 % 251);
        PyValue::Pairs pairs;
        pairs.emplace_back(PyValue::str(QByteArray("status")), PyValue::str(QByteArray("success")));
        pairs.emplace_back(PyValue::str(QByteArray("data")), PyValue::bytes(big));
        pairs.emplace_back(PyValue::str(QByteArray("small")), PyValue::bytes(QByteArray("\x00\x01", 2)));
        pairs.emplace_back(PyValue::str(QByteArray("columns")),
                           PyValue::list({PyValue::str(QByteArray("id")), PyValue::integer(7)}));
        const PyValue value = PyValue::dict(std::move(pairs));
        auto packed = MsgpackEncoder::encode(value);
        QVERIFY(packed.hasValue());
        const QByteArray withTrailer = *packed + QByteArray("trailer");

        auto viewed = MsgpackDecoder().decode(QByteArrayView(withTrailer));
        QVERIFY(viewed.hasValue());
        QCOMPARE(viewed->consumed, packed->size());
        QVERIFY(viewed->value == value);

        // A whole-buffer value takes the buffer: its bin is the handed-over bytes, not a copy.
        QByteArray handedOver(packed->constData(), packed->size()); // unshared, as an inflated buffer is
        const char *const base = handedOver.constData();
        auto taken = MsgpackDecoder().decode(std::move(handedOver));
        QVERIFY(taken.hasValue());
        QCOMPARE(taken->consumed, packed->size());
        QVERIFY(taken->value == value);
        QCOMPARE(taken->value.get("data")->bytesData(), big);
        const char *const adopted = taken->value.get("data")->bytesData().constData();
        QVERIFY(adopted > base && adopted < base + packed->size());

        // With bytes after the value the buffer stays the caller's, whole.
        QByteArray kept(withTrailer.constData(), withTrailer.size());
        auto partial = MsgpackDecoder().decodeTaking(kept);
        QVERIFY(partial.hasValue());
        QCOMPARE(partial->consumed, packed->size());
        QVERIFY(partial->value == value);
        QCOMPARE(kept, withTrailer);
        QCOMPARE(withTrailer.right(7), QByteArray("trailer")); // the caller's bytes are untouched
    }

    void encodesLikePython()
    {
        const PyValue v = PyValue::dict({
            {PyValue::str(QByteArray("ints")), PyValue::list({PyValue::integer(0), PyValue::integer(200), PyValue::integer(-40), PyValue::integer(70000),
                                                              PyValue::integer(-3000000000LL), PyValue::bigIntegerFromDecimal("18446744073709551615")})},
            {PyValue::str(QByteArray("s")), PyValue::str(QByteArray(300, 'x'))},
            {PyValue::str(QByteArray("b")), PyValue::bytes(QByteArray(70000, '\x01'))},
            {PyValue::str(QByteArray("f")), PyValue::floating(-0.1)},
            {PyValue::str(QByteArray("whole")), PyValue::list({PyValue::floating(2.0), PyValue::floating(-6645093.0), PyValue::floating(0.0)})},
            {PyValue::str(QByteArray("t")), PyValue::tuple({PyValue::none(), PyValue::boolean(false)})},
        });
        auto ours = MsgpackEncoder::encode(v);
        QVERIFY(ours.hasValue());
        auto py = test::runPython(QStringLiteral(
            "import msgpack, sys\n"
            "v = {'ints': [0, 200, -40, 70000, -3000000000, 2**64 - 1], 's': 'x' * 300, 'b': b'\\x01' * 70000, 'f': -0.1, 'whole': [2.0, -6645093.0, 0.0], 't': (None, False)}\n"
            "sys.stdout.buffer.write(msgpack.dumps(v, use_bin_type=True))\n"));
        QVERIFY(py.hasValue());
        QCOMPARE(ours->toHex(), py->toHex());
        // Integers past uint64 cannot be msgpack (Python raises OverflowError).
        QVERIFY(!MsgpackEncoder::encode(PyValue::bigIntegerFromDecimal("18446744073709551616")).hasValue());
    }

    void hostileHeadersAreErrors()
    {
        // array32 / map32 / str32 / bin32 headers claiming ~4 G elements or bytes in a 5-byte input.
        for (const char *hex : {"ddffffffff", "dfffffffff", "dbffffffff", "c6ffffffff", "c9ffffffff01"}) {
            const QByteArray b = QByteArray::fromHex(hex);
            auto r = MsgpackDecoder().decode(b);
            QVERIFY2(!r.hasValue(), hex);
            QVERIFY2(r.error().startsWith(QLatin1String("msgpack:")), qPrintable(r.error()));
        }
        MsgpackLimits limits;
        limits.maxContainerItems = 2;
        auto r = MsgpackDecoder(limits).decode(QByteArray::fromHex("93010203"));
        QVERIFY(!r.hasValue());
        QVERIFY2(r.error().contains(QLatin1String("limit")), qPrintable(r.error()));
        QVERIFY(!MsgpackDecoder().decode(QByteArray()).hasValue());
        QVERIFY(!MsgpackDecoder().decode(QByteArray::fromHex("92")).hasValue()); // truncated
    }

    // The structure scan that runs before decoding: a legitimate payload scans to its end; a
    // declared length past the end fails at that header, nested or not, whatever its kind.
    void scanLocatesHostileLengths()
    {
        auto packed = test::runPython(QStringLiteral(
            "import msgpack, sys\n"
            "sys.stdout.buffer.write(msgpack.dumps({'status': 'success', 'data': b'x' * 70000, 'columns': [{'name': 'a', 'type': None}] * 300,"
            " 'ext': msgpack.ExtType(3, b'abc'), 'f': 0.5, 'n': -2**63}, use_bin_type=True) + b'trailing')\n"));
        QVERIFY(packed.hasValue());
        const auto ok = MsgpackDecoder::scan(*packed);
        QVERIFY2(ok.ok, qPrintable(ok.error));
        QCOMPARE(ok.end, packed->size() - 8);
        QVERIFY(ok.strKeyedMap);

        const QByteArray prefix = QByteArray::fromHex("82a474797065a3617272a464617461"); // {"type": "arr", "data": ...
        const QByteArray hostile = prefix + QByteArray::fromHex("dd80000000") + QByteArray(5, '\x01');
        const auto bad = MsgpackDecoder::scan(hostile);
        QVERIFY(!bad.ok);
        QCOMPARE(bad.errorOffset, prefix.size());
        QCOMPARE(bad.topLevelElements, 3);
        QVERIFY(bad.strKeyedMap);
        QCOMPARE(bad.error, QStringLiteral("msgpack: array at offset %1 declares 2147483648 elements, 5 byte(s) follow").arg(prefix.size()));
        // decode() reports the same, before any allocation
        auto decoded = MsgpackDecoder().decode(hostile);
        QVERIFY(!decoded);
        QCOMPARE(decoded.error(), bad.error);
    }

    // The timestamp extension (-1), as Python's msgpack writes msgpack.Timestamp in its 32-, 64-
    // and 96-bit forms: an ISO 8601 UTC instant, years beyond 0000-9999 with a sign (numpy
    // computes the calendar on the Python side).
    void timestampsAreIsoDates()
    {
        auto py = test::runPython(test::pythonIsoDate() + QStringLiteral(R"PY(
import json, msgpack, sys
def iso(secs, nanos):
    return iso_date(secs, nanos) + "+00:00"
cases = [(0, 0), (2**32 - 1, 0), (1700000000, 123456000), (2**34 - 1, 999999999), (-1, 500), (-62135596800, 0),
         (-62198755200, 1), (253402300800, 0), (2**63 - 1, 999999999), (-2**63 + 1, 0)]
values = [msgpack.Timestamp(s, n) for s, n in cases]
sys.stdout.write(json.dumps({"packed": msgpack.packb(values).hex(), "iso": [iso(s, n) for s, n in cases],
                             "python": [msgpack.Timestamp(s, n).to_datetime().isoformat() for s, n in cases[:4]]}))
)PY"));
        QVERIFY2(py.hasValue(), qPrintable(test::errorOf(py)));
        const QJsonObject expect = QJsonDocument::fromJson(*py).object();
        auto v = MsgpackDecoder().decode(QByteArray::fromHex(expect.value(QLatin1String("packed")).toString().toLatin1()));
        QVERIFY2(v.hasValue(), qPrintable(test::errorOf(v)));
        const QJsonArray got = QJsonDocument::fromJson(DecodeJson::value(v->value)).array();
        const QJsonArray iso = expect.value(QLatin1String("iso")).toArray();
        QCOMPARE(got.size(), iso.size());
        for (qsizetype i = 0; i < iso.size(); ++i)
            QCOMPARE(got.at(i).toObject().value(QLatin1String("__datetime__")).toString(), iso.at(i).toString());
        // Where Python's datetime can hold them, they are its own isoformat()
        const QJsonArray python = expect.value(QLatin1String("python")).toArray();
        for (qsizetype i = 0; i < python.size(); ++i) {
            const QString ours = got.at(i).toObject().value(QLatin1String("__datetime__")).toString();
            if (!ours.contains(u'.') || ours.section(u'.', 1).size() == 6 + 6) // microseconds: comparable as written
                QCOMPARE(ours, python.at(i).toString());
        }
    }

    void truncationsAndFlipsNeverCrash()
    {
        auto packed = test::runPython(QStringLiteral(
            "import msgpack, sys\n"
            "sys.stdout.buffer.write(msgpack.dumps({'a': [1, 2.5, 'x' * 40, b'y' * 300, {'k': [None] * 20}], 'q': -5}, use_bin_type=True))\n"));
        QVERIFY(packed.hasValue());
        for (qsizetype at = 0; at < packed->size(); ++at) {
            QByteArray b = *packed;
            b[at] = char(~uchar(b[at]));
            auto r = MsgpackDecoder().decode(b);
            if (r.hasValue())
                DecodeJson::value(r->value);
        }
        for (qsizetype cut = 1; cut < packed->size(); ++cut)
            QVERIFY2(!MsgpackDecoder().decode(packed->left(cut)).hasValue(), qPrintable(QString::number(cut)));
    }
};

QTEST_GUILESS_MAIN(TestMsgpack)
#include "tst_msgpack.moc"
