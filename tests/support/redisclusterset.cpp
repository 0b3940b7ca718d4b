#include "redisclusterset.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>

namespace cachescope::test {

namespace {

// The RESP bulk string of a reply as text ("$n\r\n...\r\n"), without the framing.
QByteArray bulkText(const QByteArray &reply)
{
    const qsizetype eol = reply.indexOf("\r\n");
    if (!reply.startsWith('$') || eol < 0)
        return reply;
    return reply.mid(eol + 2, reply.mid(1, eol - 1).toLongLong());
}

} // namespace

RedisClusterSet::RedisClusterSet() = default;

RedisClusterSet::~RedisClusterSet()
{
    stop();
}

void RedisClusterSet::stop()
{
    for (auto &n : m_nodes)
        n->stop();
    m_nodes.clear();
}

QString RedisClusterSet::start(const Options &options)
{
    m_options = options;
    const QString cli = QStandardPaths::findExecutable(QStringLiteral("redis-cli"));
    if (cli.isEmpty())
        return QStringLiteral("redis-cli is not installed (apt-get install redis-tools)");
    QStringList addresses;
    for (int i = 0; i < options.masters; ++i) {
        auto node = std::make_unique<RedisServer>();
        // The bus port (default port + 10000) would land in the ephemeral range: chosen too.
        QStringList args{QStringLiteral("--cluster-enabled"), QStringLiteral("yes"),
                         QStringLiteral("--cluster-config-file"), QStringLiteral("nodes.conf"),
                         QStringLiteral("--cluster-node-timeout"), QStringLiteral("2000"),
                         QStringLiteral("--cluster-port"), QString::number(freeLoopbackPort())};
        if (!options.password.isEmpty())
            args << QStringLiteral("--requirepass") << options.password << QStringLiteral("--masterauth") << options.password;
        if (const QString error = node->start(args); !error.isEmpty())
            return QStringLiteral("cluster node %1: %2").arg(i).arg(error);
        addresses << QStringLiteral("127.0.0.1:%1").arg(node->port());
        m_nodes.push_back(std::move(node));
    }
    QProcess create;
    create.setProcessChannelMode(QProcess::MergedChannels);
    QStringList args{QStringLiteral("--cluster"), QStringLiteral("create")};
    args += addresses;
    args << QStringLiteral("--cluster-replicas") << QStringLiteral("0") << QStringLiteral("--cluster-yes");
    if (!options.password.isEmpty())
        args << QStringLiteral("-a") << options.password << QStringLiteral("--no-auth-warning");
    create.start(cli, args);
    if (!create.waitForFinished(60000) || create.exitStatus() != QProcess::NormalExit || create.exitCode() != 0)
        return QStringLiteral("redis-cli --cluster create failed: %1").arg(QString::fromUtf8(create.readAll()));
    return waitUntilOk(30000);
}

QString RedisClusterSet::waitUntilOk(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    QString last;
    while (timer.elapsed() < timeoutMs) {
        bool ok = true;
        for (int i = 0; i < size() && ok; ++i) {
            const QByteArray info = command(i, {"CLUSTER", "INFO"});
            ok = info.contains("cluster_state:ok") && info.contains(QByteArray(QByteArray("cluster_known_nodes:") + QByteArray::number(size())));
            if (!ok)
                last = QString::fromUtf8(info.left(200));
        }
        if (ok)
            return {};
        QThread::msleep(100);
    }
    return QStringLiteral("the cluster did not reach cluster_state:ok within %1 ms: %2").arg(timeoutMs).arg(last);
}

QString RedisClusterSet::startupNodes() const
{
    QStringList nodes;
    for (const auto &n : m_nodes)
        nodes << QStringLiteral("127.0.0.1:%1").arg(n->port());
    return nodes.join(u',');
}

RedisUrl RedisClusterSet::url() const
{
    RedisUrl url;
    url.host = QStringLiteral("127.0.0.1");
    url.port = m_nodes.empty() ? 0 : m_nodes.front()->port();
    url.password = m_options.password;
    for (const auto &n : m_nodes)
        url.clusterNodes.append({QStringLiteral("127.0.0.1"), n->port()});
    return url;
}

RedisUrl RedisClusterSet::nodeUrl(int index) const
{
    RedisUrl url;
    url.host = QStringLiteral("127.0.0.1");
    url.port = m_nodes[size_t(index)]->port();
    url.password = m_options.password;
    return url;
}

QByteArray RedisClusterSet::command(int index, const QList<QByteArray> &args) const
{
    return respCommand(m_nodes[size_t(index)]->port(), args, m_options.password.toUtf8());
}

QByteArray RedisClusterSet::nodeId(int index) const
{
    return bulkText(command(index, {"CLUSTER", "MYID"}));
}

QList<int> RedisClusterSet::slotOwners() const
{
    QList<int> owners(16384, -1);
    // CLUSTER NODES: "<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <state> <slots...>"
    const QByteArray nodes = bulkText(command(0, {"CLUSTER", "NODES"}));
    for (const QByteArray &line : nodes.split('\n')) {
        const QList<QByteArray> f = line.trimmed().split(' ');
        if (f.size() < 9 || !f[2].contains("master"))
            continue;
        for (qsizetype k = 8; k < f.size(); ++k) {
            if (f[k].startsWith('['))
                continue; // a migrating/importing marker
            const QList<QByteArray> range = f[k].split('-');
            const int from = range[0].toInt(), to = range.size() > 1 ? range[1].toInt() : from;
            const int port = f[1].mid(f[1].indexOf(':') + 1, f[1].indexOf('@') - f[1].indexOf(':') - 1).toInt();
            for (int i = 0; i < size(); ++i)
                if (m_nodes[size_t(i)]->port() == port)
                    for (int slot = qMax(0, from); slot <= qMin(16383, to); ++slot)
                        owners[slot] = i;
        }
    }
    return owners;
}

QString RedisClusterSet::migrateSlot(int slot, int to, bool finish)
{
    const int from = ownerOf(slot);
    if (from < 0)
        return QStringLiteral("no node owns slot %1").arg(slot);
    if (from == to)
        return QStringLiteral("slot %1 is already on node %2").arg(slot).arg(to);
    const QByteArray s = QByteArray::number(slot);
    auto expectOk = [](const QByteArray &reply, const char *what) {
        return reply.startsWith("+OK") ? QString() : QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromUtf8(reply));
    };
    if (auto e = expectOk(command(to, {"CLUSTER", "SETSLOT", s, "IMPORTING", nodeId(from)}), "IMPORTING"); !e.isEmpty())
        return e;
    if (auto e = expectOk(command(from, {"CLUSTER", "SETSLOT", s, "MIGRATING", nodeId(to)}), "MIGRATING"); !e.isEmpty())
        return e;
    for (;;) {
        const QByteArray keys = command(from, {"CLUSTER", "GETKEYSINSLOT", s, "1000"});
        // "*n\r\n$len\r\nkey\r\n...": the keys, binary-safe.
        QList<QByteArray> names;
        qsizetype at = keys.indexOf("\r\n") + 2;
        while (at > 1 && at < keys.size() && keys[at] == '$') {
            const qsizetype eol = keys.indexOf("\r\n", at);
            const qsizetype len = keys.mid(at + 1, eol - at - 1).toLongLong();
            names << keys.mid(eol + 2, len);
            at = eol + 2 + len + 2;
        }
        if (names.isEmpty())
            break;
        QList<QByteArray> migrate{"MIGRATE", "127.0.0.1", QByteArray::number(m_nodes[size_t(to)]->port()), "", "0", "10000"};
        if (!m_options.password.isEmpty())
            migrate << "AUTH" << m_options.password.toUtf8();
        migrate << "KEYS";
        migrate += names;
        if (auto e = expectOk(command(from, migrate), "MIGRATE"); !e.isEmpty())
            return e;
    }
    if (!finish)
        return {};
    // The importing node first, then the source, then the others (redis-cli --cluster reshard's
    // order): the source never sends clients to a node that does not own the slot yet.
    const QByteArray owner = nodeId(to);
    QList<int> order{to, from};
    for (int i = 0; i < size(); ++i)
        if (i != to && i != from)
            order << i;
    for (int i : order)
        if (auto e = expectOk(command(i, {"CLUSTER", "SETSLOT", s, "NODE", owner}), "SETSLOT NODE"); !e.isEmpty())
            return e;
    return {};
}

} // namespace cachescope::test
