// indentJson: the one JSON indenter (payload view, Keys page clipboard, `cachescope decode`).
#include "codec/jsonindent.h"

#include <QTest>

using namespace cachescope;

class TestJsonIndent : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldIndentKeepingOrderAndStringBytes()
    {
        // Given JSON whose members are not sorted, whose strings hold a BOM, escapes and layout
        // characters, and whose input already has whitespace of its own
        const QByteArray in = "{ \"z\" : \"\xEF\xBB\xBF{x, y}: \\\"q\\\" \\\\\",\n\t\"a\":[1, {}, [ ], -2.5e3],\"e\":{}}";
        // Then the layout is replaced, the bytes inside strings and the order are kept
        QCOMPARE(indentJson(in, 2), QByteArray("{\n"
                                               "  \"z\": \"\xEF\xBB\xBF{x, y}: \\\"q\\\" \\\\\",\n"
                                               "  \"a\": [\n"
                                               "    1,\n"
                                               "    {},\n"
                                               "    [],\n"
                                               "    -2.5e3\n"
                                               "  ],\n"
                                               "  \"e\": {}\n"
                                               "}"));
        QCOMPARE(indentJson("[1]", 4), QByteArray("[\n    1\n]"));
        QCOMPARE(indentJson("\"\xEF\xBB\xBF\"", 4), QByteArray("\"\xEF\xBB\xBF\""));
    }

    void shouldSayWhereItStoppedAtTheLimit()
    {
        const QByteArray out = indentJson("[1,2,3,4]", 2, 4);
        QCOMPARE(out, QByteArray("[\n  1,\n  2\n… (truncated)"));
    }
};

QTEST_MAIN(TestJsonIndent)
#include "tst_jsonindent.moc"
