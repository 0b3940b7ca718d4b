// Write-back of a cache purpose's default timeout into superset_config.py: every edit of every
// fixture config changes only the edited span (checked byte for byte and by re-evaluating every
// other setting), the result still parses in Debian's real python3, values from the environment or
// a helper are refused with what to change, and failed writes (read-only directory, a full tmpfs,
// a short write) leave the original file intact.
#include "config/configcommandline.h"
#include "config/configeditor.h"
#include "config/configjson.h"
#include "python.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

using namespace cachescope;
using namespace cachescope::test;

namespace {

QString configsDir()
{
    return sourcePath(QStringLiteral("tests/fixtures/configs"));
}

ConfigLoader::Options optionsFor(const QString &py)
{
    ConfigCommandLine::EnvironmentArgs env;
    env.noProcessEnv = true;
    const QString envFile = py.left(py.size() - 3) + QStringLiteral(".env");
    if (QFileInfo::exists(envFile))
        env.envFiles << envFile;
    auto options = env.loaderOptions({});
    return options ? *options : ConfigLoader::Options{};
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// Every module-level setting and resolved cache as JSON, except what the edit may change.
QJsonObject settingsWithout(const ConfigReport &report, const QString &purpose)
{
    ConfigJson::Options o;
    o.showSecrets = true;
    o.all = true;
    QJsonObject all = QJsonDocument::fromJson(ConfigJson::report(report, o)).object();
    QJsonObject settings = all.value(QStringLiteral("settings")).toObject();
    settings.remove(QStringLiteral("CACHE_DEFAULT_TIMEOUT"));
    settings.remove(purpose);
    // Copies of the edited dict (X = Y.copy(), dict(Y, ...)) inherit its timeout: that shows in the
    // caches' default timeouts and in the edit's effects, checked separately.
    for (const QString &key : settings.keys()) {
        QJsonObject value = settings.value(key).toObject();
        if (value.remove(QStringLiteral("CACHE_DEFAULT_TIMEOUT")), !value.isEmpty())
            settings.insert(key, value);
    }
    QJsonObject caches;
    for (CacheSpec spec : report.caches) {
        spec.defaultTimeout = 0;
        spec.spans.clear();
        caches.insert(purposeConfigName(spec.purpose), QJsonDocument::fromJson(ConfigJson::spec(spec, true)).object());
    }
    return QJsonObject{{QStringLiteral("settings"), settings}, {QStringLiteral("caches"), caches}};
}

// Bytes shared at the start and at the end: everything else is the edited region.
std::pair<qsizetype, qsizetype> commonEnds(const QByteArray &a, const QByteArray &b)
{
    qsizetype head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head])
        ++head;
    qsizetype tail = 0;
    while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
        ++tail;
    return {head, tail};
}

// A tmpfs mounted for one test (root only); unmounted by the destructor.
class Tmpfs
{
public:
    QString mount(const QString &dir, const QString &options)
    {
        if (::geteuid() != 0)
            return QStringLiteral("not root");
        QProcess p;
        p.start(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"), options,
                                          QStringLiteral("tmpfs"), dir});
        p.waitForFinished();
        if (p.exitCode() != 0)
            return QString::fromLocal8Bit(p.readAllStandardError());
        m_dir = dir;
        return {};
    }
    QString remountReadOnly()
    {
        QProcess p;
        p.start(QStringLiteral("mount"), {QStringLiteral("-o"), QStringLiteral("remount,ro"), m_dir});
        p.waitForFinished();
        return p.exitCode() == 0 ? QString() : QString::fromLocal8Bit(p.readAllStandardError());
    }
    ~Tmpfs()
    {
        if (!m_dir.isEmpty())
            QProcess::execute(QStringLiteral("umount"), {m_dir});
    }

private:
    QString m_dir;
};

const char *kSample = "import os\n"
                      "from datetime import timedelta\n"
                      "\n"
                      "# Superset's cache settings.\n"
                      "CACHE_DEFAULT_TIMEOUT = int(timedelta(days=1).total_seconds())  # one day\n"
                      "CACHE_CONFIG = {\n"
                      "    'CACHE_TYPE': 'RedisCache',\n"
                      "    'CACHE_KEY_PREFIX': 'superset_',  # keep\n"
                      "    'CACHE_REDIS_URL': os.environ.get('REDIS_URL', 'redis://redis:6379/0')\n"
                      "}\n"
                      "DATA_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_DEFAULT_TIMEOUT\": 60 * 60, \"CACHE_KEY_PREFIX\": \"data_\"}\n"
                      "THUMBNAIL_CACHE_CONFIG = {\n"
                      "    \"CACHE_TYPE\": \"NullCache\",\n"
                      "    \"CACHE_DEFAULT_TIMEOUT\": 3600,\n"
                      "}\n";

} // namespace

class TestConfigEditor : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;

    QString sample(const QByteArray &content = kSample, const QString &name = QStringLiteral("superset_config.py"))
    {
        const QString path = m_tmp.filePath(name);
        writeFile(path, content);
        return path;
    }

private Q_SLOTS:
    void everyFixtureEditChangesOnlyItsSpan()
    {
        QDir dir(configsDir());
        const QStringList settings = {QStringLiteral("CACHE_DEFAULT_TIMEOUT"), QStringLiteral("CACHE_CONFIG"),
                                      QStringLiteral("DATA_CACHE_CONFIG"), QStringLiteral("FILTER_STATE_CACHE_CONFIG"),
                                      QStringLiteral("EXPLORE_FORM_DATA_CACHE_CONFIG"), QStringLiteral("THUMBNAIL_CACHE_CONFIG"),
                                      QStringLiteral("RESULTS_BACKEND"), QStringLiteral("GLOBAL_ASYNC_QUERIES_CACHE_BACKEND")};
        QTemporaryDir out;
        int edits = 0, refusals = 0, files = 0;
        QStringList written;
        for (const QString &name : dir.entryList({QStringLiteral("*.py")}, QDir::Files, QDir::Name)) {
            const QString py = dir.filePath(name);
            const auto options = optionsFor(py);
            const QByteArray original = readFile(py);
            const ConfigReport before = ConfigLoader::loadSource(QString::fromUtf8(original), QFileInfo(py).absoluteFilePath(), options);
            if (!before.loaded)
                continue; // syntax errors, exit(), hostile files: the editor refuses them (tested below)
            ++files;
            for (const QString &setting : settings) {
                for (const std::optional<qint64> value : {std::optional<qint64>(1234), std::optional<qint64>()}) {
                    const auto edit = ConfigEditor::planDefaultTimeout(original, py, setting, value, options);
                    if (!edit) {
                        ++refusals;
                        QVERIFY2(edit.error().contains(setting.left(12)) || edit.error().contains(u"CACHE_DEFAULT_TIMEOUT"),
                                 qPrintable(name + u": " + edit.error()));
                        continue;
                    }
                    QCOMPARE(edit->before, original);
                    if (edit->isNoop())
                        continue;
                    ++edits;
                    const QString what = name + u' ' + setting + u' ' + (value ? QString::number(*value) : QStringLiteral("null"));
                    // Bytes: one local region changed, everything before and after it identical.
                    const auto [head, tail] = commonEnds(original, edit->after);
                    QVERIFY2(original.size() - head - tail < 200, qPrintable(what));
                    QVERIFY2(edit->diff.startsWith(QStringLiteral("--- a/") + name), qPrintable(what));
                    // Meaning: the setting reads the new value; every other setting and cache is the same.
                    const ConfigReport after = ConfigLoader::loadSource(QString::fromUtf8(edit->after), QFileInfo(py).absoluteFilePath(), options);
                    QVERIFY2(after.loaded, qPrintable(what + u": " + after.error));
                    const QString purpose = setting == u"CACHE_DEFAULT_TIMEOUT" ? QString() : setting;
                    const QJsonObject was = settingsWithout(before, purpose), is = settingsWithout(after, purpose);
                    if (was != is) {
                        for (const QString &k : was.value(QStringLiteral("settings")).toObject().keys())
                            if (was.value(QStringLiteral("settings")).toObject().value(k) != is.value(QStringLiteral("settings")).toObject().value(k))
                                qWarning("%s: setting %s changed", qPrintable(what), qPrintable(k));
                        for (const QString &k : was.value(QStringLiteral("caches")).toObject().keys())
                            if (was.value(QStringLiteral("caches")).toObject().value(k) != is.value(QStringLiteral("caches")).toObject().value(k))
                                qWarning("%s: cache %s changed", qPrintable(what), qPrintable(k));
                    }
                    QVERIFY2(was == is, qPrintable(what));
                    // Every cache whose default moved is named in the preview's effects.
                    for (const auto &spec : after.caches)
                        for (const auto &old : before.caches)
                            if (old.purpose == spec.purpose && old.defaultTimeout != spec.defaultTimeout)
                                QVERIFY2(edit->effects.contains(QStringLiteral("%1: %2 → %3")
                                                                    .arg(purposeConfigName(spec.purpose))
                                                                    .arg(old.defaultTimeout)
                                                                    .arg(spec.defaultTimeout)),
                                         qPrintable(what + u": " + edit->effects.join(u'|')));
                    if (value) {
                        for (const auto &spec : after.caches)
                            if (purposeConfigName(spec.purpose) == setting)
                                QVERIFY2(spec.defaultTimeout == *value, qPrintable(what));
                        if (purpose.isEmpty())
                            QCOMPARE(py::integerValue(after.setting(setting)), value);
                    }
                    const QString copy = out.filePath(QStringLiteral("%1_%2.py").arg(written.size()).arg(name.left(name.size() - 3)));
                    QVERIFY(writeFile(copy, edit->after));
                    written << copy;
                }
            }
        }
        QVERIFY2(files >= 55, qPrintable(QString::number(files)));
        QVERIFY2(edits >= 150, qPrintable(QStringLiteral("%1 edits, %2 refusals").arg(edits).arg(refusals)));
        // Every edited file is still Python to the real interpreter.
        const auto checked = runPython(QStringLiteral("import ast, sys\n"
                                                      "for p in sys.argv[1:]:\n"
                                                      "    ast.parse(open(p, encoding='utf-8').read(), p)\n"
                                                      "print(len(sys.argv) - 1)\n"),
                                       written);
        QVERIFY2(checked, qPrintable(checked.error()));
        QCOMPARE(checked->trimmed().toInt(), written.size());
        qInfo("%d fixture files, %d edits checked, %d refused", files, edits, refusals);
    }

    void shouldReplaceALiteralInPlace()
    {
        const QString path = sample();
        const auto edit = ConfigEditor::planDefaultTimeout(path, QStringLiteral("DATA_CACHE_CONFIG"), 600, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        QCOMPARE(edit->action, QStringLiteral("replace"));
        QCOMPARE(edit->oldValue, std::optional<qint64>(3600));
        QCOMPARE(edit->line, 11);
        QVERIFY(edit->after.contains("\"CACHE_DEFAULT_TIMEOUT\": 600, \"CACHE_KEY_PREFIX\": \"data_\"}"));
        QCOMPARE(edit->after.size(), edit->before.size() - qsizetype(QByteArray("60 * 60").size() - 3));
        QVERIFY(edit->diff.contains(u"-DATA_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_DEFAULT_TIMEOUT\": 60 * 60"));
        QCOMPARE(edit->effects, QStringList{QStringLiteral("DATA_CACHE_CONFIG: 3600 → 600")});
        // The top-level timedelta literal too; the comment after it stays.
        const auto top = ConfigEditor::planDefaultTimeout(path, QStringLiteral("CACHE_DEFAULT_TIMEOUT"), 7200, {});
        QVERIFY2(top, qPrintable(top.error()));
        QVERIFY(top->after.contains("CACHE_DEFAULT_TIMEOUT = 7200  # one day\n"));
        QVERIFY2(top->effects.contains(QStringLiteral("CACHE_CONFIG: 86400 → 7200")), qPrintable(top->effects.join(u'|')));
    }

    void shouldInsertAMissingKeyInTheFilesStyle()
    {
        const QString path = sample();
        const auto edit = ConfigEditor::planDefaultTimeout(path, QStringLiteral("CACHE_CONFIG"), 300, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        QCOMPARE(edit->action, QStringLiteral("insert"));
        QVERIFY(!edit->oldValue);
        // Single quotes like the other keys, the same indent, a comma added after the last entry.
        QVERIFY2(edit->after.contains("    'CACHE_REDIS_URL': os.environ.get('REDIS_URL', 'redis://redis:6379/0'),\n"
                                      "    'CACHE_DEFAULT_TIMEOUT': 300,\n}\n"),
                 edit->after.constData());
        QVERIFY(edit->after.contains("'CACHE_KEY_PREFIX': 'superset_',  # keep\n"));
        // Single-line display: appended before the brace.
        const auto oneLine = ConfigEditor::planDefaultTimeout(
            QByteArray("FILTER_STATE_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_KEY_PREFIX\": \"f_\"}\n"),
            path, QStringLiteral("FILTER_STATE_CACHE_CONFIG"), 90, {});
        QVERIFY2(oneLine, qPrintable(oneLine.error()));
        QCOMPARE(oneLine->after, QByteArray("FILTER_STATE_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_KEY_PREFIX\": "
                                            "\"f_\", \"CACHE_DEFAULT_TIMEOUT\": 90}\n"));
        // A dict(...) call gets a keyword; an inherited **BASE value is overridden, not edited.
        const auto call = ConfigEditor::planDefaultTimeout(
            QByteArray("BASE = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_DEFAULT_TIMEOUT\": 600}\n"
                       "CACHE_CONFIG = dict(BASE, CACHE_KEY_PREFIX=\"m_\")\n"
                       "DATA_CACHE_CONFIG = {**BASE, \"CACHE_KEY_PREFIX\": \"d_\"}\n"),
            path, QStringLiteral("DATA_CACHE_CONFIG"), 30, {});
        QVERIFY2(call, qPrintable(call.error()));
        QVERIFY(call->after.contains("DATA_CACHE_CONFIG = {**BASE, \"CACHE_KEY_PREFIX\": \"d_\", \"CACHE_DEFAULT_TIMEOUT\": 30}\n"));
        QVERIFY(call->after.startsWith("BASE = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_DEFAULT_TIMEOUT\": 600}\n"));
        QCOMPARE(call->effects.first(), QStringLiteral("DATA_CACHE_CONFIG: 600 → 30"));
        const auto kw = ConfigEditor::planDefaultTimeout(call->before, path, QStringLiteral("CACHE_CONFIG"), 45, {});
        QVERIFY2(kw, qPrintable(kw.error()));
        QVERIFY(kw->after.contains("CACHE_CONFIG = dict(BASE, CACHE_KEY_PREFIX=\"m_\", CACHE_DEFAULT_TIMEOUT=45)\n"));
    }

    void shouldAppendAMissingTopLevelTimeout()
    {
        const auto edit = ConfigEditor::planDefaultTimeout(QByteArray("ROW_LIMIT = 5000"), m_tmp.filePath(QStringLiteral("x.py")),
                                                           QStringLiteral("CACHE_DEFAULT_TIMEOUT"), 900, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        QCOMPARE(edit->after, QByteArray("ROW_LIMIT = 5000\nCACHE_DEFAULT_TIMEOUT = 900\n"));
        QVERIFY(edit->diff.contains(u"\\ No newline at end of file"));
    }

    void shouldKeepWindowsLineEndings()
    {
        const QByteArray crlf = "CACHE_CONFIG = {\r\n    \"CACHE_TYPE\": \"RedisCache\",\r\n}\r\n";
        const auto edit = ConfigEditor::planDefaultTimeout(crlf, m_tmp.filePath(QStringLiteral("w.py")),
                                                           QStringLiteral("CACHE_CONFIG"), 300, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        QCOMPARE(edit->after, QByteArray("CACHE_CONFIG = {\r\n    \"CACHE_TYPE\": \"RedisCache\",\r\n    \"CACHE_DEFAULT_TIMEOUT\": 300,\r\n}\r\n"));
    }

    void shouldRemoveTheOwnKeyForNull()
    {
        const QString path = sample();
        const auto multi = ConfigEditor::planDefaultTimeout(path, QStringLiteral("THUMBNAIL_CACHE_CONFIG"), std::nullopt, {});
        QVERIFY2(multi, qPrintable(multi.error()));
        QCOMPARE(multi->action, QStringLiteral("remove"));
        QVERIFY(multi->after.endsWith("THUMBNAIL_CACHE_CONFIG = {\n    \"CACHE_TYPE\": \"NullCache\",\n}\n"));
        QCOMPARE(multi->effects.first(), QStringLiteral("THUMBNAIL_CACHE_CONFIG: 3600 → 86400"));
        const auto single = ConfigEditor::planDefaultTimeout(path, QStringLiteral("DATA_CACHE_CONFIG"), std::nullopt, {});
        QVERIFY2(single, qPrintable(single.error()));
        QVERIFY(single->after.contains("DATA_CACHE_CONFIG = {\"CACHE_TYPE\": \"RedisCache\", \"CACHE_KEY_PREFIX\": \"data_\"}\n"));
        const auto top = ConfigEditor::planDefaultTimeout(path, QStringLiteral("CACHE_DEFAULT_TIMEOUT"), std::nullopt, {});
        QVERIFY2(top, qPrintable(top.error()));
        QVERIFY(!top->after.contains("CACHE_DEFAULT_TIMEOUT = int("));
        QVERIFY(top->after.contains("# Superset's cache settings.\nCACHE_CONFIG = {\n"));
        // Nothing to remove: no change at all.
        const auto none = ConfigEditor::planDefaultTimeout(path, QStringLiteral("CACHE_CONFIG"), std::nullopt, {});
        QVERIFY2(none, qPrintable(none.error()));
        QVERIFY(none->isNoop());
        QCOMPARE(none->action, QStringLiteral("none"));
    }

    void shouldRefuseValuesFromTheEnvironmentNamingTheVariable()
    {
        const QString casts = QDir(configsDir()).filePath(QStringLiteral("15_casts.py"));
        const auto direct = ConfigEditor::planDefaultTimeout(casts, QStringLiteral("CACHE_DEFAULT_TIMEOUT"), 60, optionsFor(casts));
        QVERIFY(!direct);
        QVERIFY2(direct.error().contains(u"environment variable CACHE_TIMEOUT") && direct.error().contains(u"15_casts.py:3"),
                 qPrintable(direct.error()));
        // Through a variable that reads the environment.
        const auto viaName = ConfigEditor::planDefaultTimeout(
            QByteArray("import os\nTIMEOUT = int(os.getenv('SUPERSET_DATA_TIMEOUT', '300'))\n"
                       "DATA_CACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_DEFAULT_TIMEOUT': TIMEOUT}\n"),
            m_tmp.filePath(QStringLiteral("e.py")), QStringLiteral("DATA_CACHE_CONFIG"), 60, {});
        QVERIFY(!viaName);
        QVERIFY2(viaName.error().contains(u"SUPERSET_DATA_TIMEOUT"), qPrintable(viaName.error()));
        // A helper function and a plain shared variable.
        const auto helper = ConfigEditor::planDefaultTimeout(
            QByteArray("def hours(n):\n    return n * 3600\nCACHE_DEFAULT_TIMEOUT = hours(2)\n"),
            m_tmp.filePath(QStringLiteral("h.py")), QStringLiteral("CACHE_DEFAULT_TIMEOUT"), 60, {});
        QVERIFY(!helper);
        QVERIFY2(helper.error().contains(u"helper hours()"), qPrintable(helper.error()));
        const auto variable = ConfigEditor::planDefaultTimeout(
            QByteArray("ONE_DAY = 86400\nCACHE_CONFIG = {'CACHE_TYPE': 'RedisCache', 'CACHE_DEFAULT_TIMEOUT': ONE_DAY}\n"),
            m_tmp.filePath(QStringLiteral("v.py")), QStringLiteral("CACHE_CONFIG"), 60, {});
        QVERIFY(!variable);
        QVERIFY2(variable.error().contains(u"variable ONE_DAY (v.py:1)"), qPrintable(variable.error()));
        // Files that do not load, or are not UTF-8, are not touched.
        QVERIFY(!ConfigEditor::planDefaultTimeout(QByteArray("CACHE_CONFIG = {\n"), m_tmp.filePath(QStringLiteral("s.py")),
                                                  QStringLiteral("CACHE_CONFIG"), 60, {}));
        const auto latin1 = ConfigEditor::planDefaultTimeout(QByteArray("# caf\xe9\nCACHE_DEFAULT_TIMEOUT = 1\n"),
                                                             m_tmp.filePath(QStringLiteral("l.py")),
                                                             QStringLiteral("CACHE_DEFAULT_TIMEOUT"), 60, {});
        QVERIFY(!latin1);
        QVERIFY(latin1.error().contains(u"UTF-8"));
        QVERIFY(!ConfigEditor::planDefaultTimeout(QByteArray("X = 1\n"), m_tmp.filePath(QStringLiteral("p.py")),
                                                  QStringLiteral("NOT_A_CACHE"), 60, {}));
    }

    void shouldApplyAtomicallyKeepTheModeAndUndo()
    {
        const QString path = sample(kSample, QStringLiteral("mode_config.py"));
        QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup));
        const auto edit = ConfigEditor::planDefaultTimeout(path, QStringLiteral("DATA_CACHE_CONFIG"), 120, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        const auto applied = ConfigEditor::apply(*edit);
        QVERIFY2(applied, qPrintable(applied.error()));
        QCOMPARE(readFile(path), edit->after);
        QCOMPARE(QFile::permissions(path), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup
                                               | QFileDevice::ReadUser | QFileDevice::WriteUser);
        QCOMPARE(QDir(m_tmp.path()).entryList({QStringLiteral(".*cachescope*")}, QDir::Files | QDir::Hidden).size(), 0);
        // Applying the same preview twice is refused: the file no longer holds its "before".
        QVERIFY(ConfigEditor::apply(*edit).error().contains(u"changed since the preview"));
        const auto undone = ConfigEditor::apply(ConfigEditor::undo(*edit));
        QVERIFY2(undone, qPrintable(undone.error()));
        QCOMPARE(readFile(path), QByteArray(kSample));
    }

    void shouldFollowASymlinkAndKeepIt()
    {
        const QString real = sample(kSample, QStringLiteral("real_config.py"));
        const QString link = m_tmp.filePath(QStringLiteral("link_config.py"));
        QVERIFY(QFile::link(real, link));
        const auto edit = ConfigEditor::planDefaultTimeout(link, QStringLiteral("DATA_CACHE_CONFIG"), 5, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        QVERIFY(ConfigEditor::apply(*edit));
        QVERIFY(QFileInfo(link).isSymLink());
        QCOMPARE(readFile(real), edit->after);
    }

    void aShortWriteKeepsTheOriginal()
    {
        const QString path = sample(kSample, QStringLiteral("short_config.py"));
        const auto edit = ConfigEditor::planDefaultTimeout(path, QStringLiteral("DATA_CACHE_CONFIG"), 7, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        // The disk takes 100 bytes, then reports it is full.
        AtomicWriteOptions shortWrite;
        qint64 taken = 0;
        shortWrite.write = [&](int fd, const char *data, qint64 size) -> qint64 {
            const qint64 room = 100 - taken;
            if (room <= 0) {
                errno = ENOSPC;
                return -1;
            }
            const qint64 n = ::write(fd, data, size_t(std::min(size, room)));
            taken += n;
            return n;
        };
        const auto result = ConfigEditor::apply(*edit, shortWrite);
        QVERIFY(!result);
        QVERIFY2(result.error().contains(u"No space left") && result.error().contains(u"unchanged"), qPrintable(result.error()));
        QCOMPARE(readFile(path), QByteArray(kSample));
        QCOMPARE(QDir(m_tmp.path()).entryList({QStringLiteral(".short_config*")}, QDir::Files | QDir::Hidden).size(), 0);
        // A write that returns 0 forever does not loop forever.
        AtomicWriteOptions stuck;
        stuck.write = [](int, const char *, qint64) -> qint64 { return 0; };
        QVERIFY(!ConfigEditor::apply(*edit, stuck));
        QCOMPARE(readFile(path), QByteArray(kSample));
    }

    void aReadOnlyDirectoryKeepsTheOriginal()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("superset_config.py"));
        QVERIFY(writeFile(path, kSample));
        const auto edit = ConfigEditor::planDefaultTimeout(path, QStringLiteral("DATA_CACHE_CONFIG"), 8, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        Tmpfs tmpfs;
        if (::geteuid() == 0) {
            // Root ignores directory modes: a read-only mount is what stops it.
            const QString sub = dir.filePath(QStringLiteral("ro"));
            QVERIFY(QDir().mkpath(sub));
            const QString error = tmpfs.mount(sub, QStringLiteral("size=64k,mode=0755"));
            QVERIFY2(error.isEmpty(), qPrintable(u"mount tmpfs (root without CAP_SYS_ADMIN?): " + error));
            const QString inside = sub + QStringLiteral("/superset_config.py");
            QVERIFY(writeFile(inside, kSample));
            QVERIFY2(tmpfs.remountReadOnly().isEmpty(), "remount read-only");
            auto e = *edit;
            e.path = inside;
            const auto result = ConfigEditor::apply(e);
            QVERIFY(!result);
            QVERIFY2(result.error().contains(u"Read-only file system"), qPrintable(result.error()));
            QCOMPARE(readFile(inside), QByteArray(kSample));
        } else {
            QVERIFY(QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner));
            const auto result = ConfigEditor::apply(*edit);
            QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
            QVERIFY(!result);
            QVERIFY2(result.error().contains(u"Permission denied"), qPrintable(result.error()));
            QCOMPARE(readFile(path), QByteArray(kSample));
        }
    }

    void aFullDiskKeepsTheOriginal()
    {
        if (::geteuid() != 0)
            QSKIP("LOUD SKIP: mounting a small tmpfs needs root; the short-write test covers ENOSPC without it");
        QTemporaryDir dir;
        Tmpfs tmpfs;
        const QString error = tmpfs.mount(dir.path(), QStringLiteral("size=16k,mode=0755"));
        QVERIFY2(error.isEmpty(), qPrintable(u"mount tmpfs: " + error));
        const QString path = dir.filePath(QStringLiteral("superset_config.py"));
        QVERIFY(writeFile(path, kSample));
        // Fill the rest of the file system.
        QFile filler(dir.filePath(QStringLiteral("filler")));
        QVERIFY(filler.open(QIODevice::WriteOnly));
        const QByteArray block(1024, 'x');
        while (filler.write(block) == block.size() && filler.flush()) {
        }
        filler.close();
        const auto edit = ConfigEditor::planDefaultTimeout(path, QStringLiteral("CACHE_CONFIG"), 300, {});
        QVERIFY2(edit, qPrintable(edit.error()));
        const auto result = ConfigEditor::apply(*edit);
        QVERIFY(!result);
        QVERIFY2(result.error().contains(u"No space left on device"), qPrintable(result.error()));
        QCOMPARE(readFile(path), QByteArray(kSample));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 2); // the config and the filler only
    }
};

QTEST_GUILESS_MAIN(TestConfigEditor)
#include "tst_configeditor.moc"
