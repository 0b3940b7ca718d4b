#include "payloadtreemodel.h"

#include "codec/decodejson.h"

namespace cachescope {

struct PayloadTreeModel::Node
{
    enum class Kind { Value, Table, Image, More };
    Kind kind = Kind::Value;
    QString key;
    PyValue value;
    Node *parent = nullptr;
    int row = 0;
    mutable bool built = false;
    mutable std::vector<std::unique_ptr<Node>> children;
    // Recognising a DataFrame walks its blocks: do it once per node, not per paint.
    mutable bool described = false;
    mutable QString type, summary;
    mutable bool isFrame = false;
};

namespace {

QString typeName(const PyValue &v)
{
    if (v.kind() == PyValue::Kind::Object) {
        if (auto c = Recognisers::scalar(v)) {
            switch (c->tag) {
            case Cell::Tag::DateTime: return QStringLiteral("datetime");
            case Cell::Tag::Date: return QStringLiteral("date");
            case Cell::Tag::Time: return QStringLiteral("time");
            case Cell::Tag::TimeDelta: return QStringLiteral("timedelta");
            case Cell::Tag::Decimal: return QStringLiteral("Decimal");
            case Cell::Tag::Uuid: return QStringLiteral("UUID");
            case Cell::Tag::Value: return QStringLiteral("numpy scalar");
            }
        }
        if (auto a = Recognisers::ndarray(v))
            return QStringLiteral("ndarray %1").arg(a->dtypeString());
        if (auto df = Recognisers::dataFrame(v))
            return df->isSeries ? QStringLiteral("Series") : QStringLiteral("DataFrame");
        if (Recognisers::mapping(v))
            return QString::fromLatin1(v.object().name);
        return QString::fromLatin1(v.object().qualifiedName());
    }
    return QLatin1String(PyValue::kindName(v.kind()));
}

QString summary(const PyValue &v)
{
    if (v.kind() == PyValue::Kind::Object) {
        if (auto c = Recognisers::scalar(v))
            return c->display();
        if (auto a = Recognisers::ndarray(v)) {
            QStringList dims;
            for (qint64 d : a->shape)
                dims << QString::number(d);
            return QStringLiteral("shape (%1)").arg(dims.join(QStringLiteral(", ")));
        }
        if (auto df = Recognisers::dataFrame(v))
            return QStringLiteral("%1 rows × %2 columns").arg(df->rows).arg(df->columns.size());
    }
    if (v.isSequence() || v.kind() == PyValue::Kind::Set || v.kind() == PyValue::Kind::FrozenSet)
        return QStringLiteral("%1 items").arg(v.items().size());
    if (v.kind() == PyValue::Kind::Dict)
        return QStringLiteral("%1 keys").arg(v.pairs().size());
    if (v.kind() == PyValue::Kind::Str)
        return v.toQString().left(500);
    if (v.kind() == PyValue::Kind::Bytes || v.kind() == PyValue::Kind::ByteArray)
        return QStringLiteral("%1 bytes").arg(v.bytesData().size());
    return v.repr(500);
}

bool expandable(const PyValue &v)
{
    switch (v.kind()) {
    case PyValue::Kind::List: case PyValue::Kind::Tuple: case PyValue::Kind::Set: case PyValue::Kind::FrozenSet:
        return !v.items().empty();
    case PyValue::Kind::Dict:
        return !v.pairs().empty();
    case PyValue::Kind::Object:
        if (Recognisers::scalar(v) || Recognisers::ndarray(v) || Recognisers::dataFrame(v))
            return false;
        return true;
    default:
        return false;
    }
}

} // namespace

PayloadTreeModel::PayloadTreeModel(QObject *parent) : QAbstractItemModel(parent), m_root(std::make_unique<Node>())
{
    m_root->built = true;
}

PayloadTreeModel::~PayloadTreeModel() = default;

void PayloadTreeModel::clear()
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->built = true;
    m_table.reset();
    m_image.reset();
    endResetModel();
}

void PayloadTreeModel::setResult(const DecodeResult &result)
{
    beginResetModel();
    m_root = std::make_unique<Node>();
    m_root->built = true;
    m_table = result.table;
    m_tableKey = result.tableKey;
    m_image = result.image;
    m_imageKey = result.imageKey;
    auto top = std::make_unique<Node>();
    top->parent = m_root.get();
    top->key = QStringLiteral("value");
    switch (result.finalKind) {
    case DecodeResult::FinalKind::Table: top->kind = Node::Kind::Table; break;
    case DecodeResult::FinalKind::Image: top->kind = Node::Kind::Image; break;
    case DecodeResult::FinalKind::Text: top->value = PyValue::str(result.bytes); break;
    case DecodeResult::FinalKind::Raw: top->value = PyValue::bytes(result.bytes); break;
    default: top->value = result.value; break;
    }
    if (result.ok())
        m_root->children.push_back(std::move(top));
    endResetModel();
}

PayloadTreeModel::Node *PayloadTreeModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

void PayloadTreeModel::buildChildren(Node *node) const
{
    if (node->built)
        return;
    node->built = true;
    if (node->kind != Node::Kind::Value || !expandable(node->value))
        return;
    auto add = [&](QString key, PyValue value, Node::Kind kind = Node::Kind::Value) {
        auto child = std::make_unique<Node>();
        child->key = std::move(key);
        child->value = std::move(value);
        child->kind = kind;
        child->parent = node;
        child->row = int(node->children.size());
        node->children.push_back(std::move(child));
    };
    auto addMore = [&](size_t total) {
        if (total > size_t(kMaxChildren))
            add(QStringLiteral("…"), PyValue::str(QStringLiteral("%1 more").arg(total - size_t(kMaxChildren))), Node::Kind::More);
    };
    const PyValue &v = node->value;
    const bool topDict = node->parent == m_root.get();
    switch (v.kind()) {
    case PyValue::Kind::List: case PyValue::Kind::Tuple: case PyValue::Kind::Set: case PyValue::Kind::FrozenSet: {
        const auto &items = v.items();
        for (size_t i = 0; i < items.size() && i < size_t(kMaxChildren); ++i)
            add(QString::number(i), items[i]);
        addMore(items.size());
        break;
    }
    case PyValue::Kind::Dict: {
        const auto &pairs = v.pairs();
        for (size_t i = 0; i < pairs.size() && i < size_t(kMaxChildren); ++i) {
            const PyValue &k = pairs[i].first;
            const QString key = k.kind() == PyValue::Kind::Str ? k.toQString() : k.repr(100);
            if (topDict && m_table && k.kind() == PyValue::Kind::Str && k.bytesData() == m_tableKey)
                add(key, PyValue(), Node::Kind::Table);
            else if (topDict && m_image && k.kind() == PyValue::Kind::Str && k.bytesData() == m_imageKey)
                add(key, PyValue(), Node::Kind::Image);
            else
                add(key, pairs[i].second);
        }
        addMore(pairs.size());
        break;
    }
    case PyValue::Kind::Object: {
        if (auto m = Recognisers::mapping(v)) {
            for (size_t i = 0; i < m->pairs().size() && i < size_t(kMaxChildren); ++i) {
                const PyValue &k = m->pairs()[i].first;
                add(k.kind() == PyValue::Kind::Str ? k.toQString() : k.repr(100), m->pairs()[i].second);
            }
            addMore(m->pairs().size());
            break;
        }
        const auto &o = v.object();
        if (o.args)
            add(QStringLiteral("args"), PyValue::tuple(*o.args));
        if (o.kwargs)
            add(QStringLiteral("kwargs"), PyValue::dict(*o.kwargs));
        if (o.state)
            add(QStringLiteral("state"), *o.state);
        if (!o.listItems.empty())
            add(QStringLiteral("items"), PyValue::list(o.listItems));
        if (!o.dictItems.empty())
            add(QStringLiteral("dict items"), PyValue::dict(o.dictItems));
        break;
    }
    default:
        break;
    }
}

QModelIndex PayloadTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    Node *p = nodeFor(parent);
    buildChildren(p);
    if (row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[size_t(row)].get());
}

QModelIndex PayloadTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *n = nodeFor(child);
    if (!n->parent || n->parent == m_root.get())
        return {};
    return createIndex(n->parent->row, 0, n->parent);
}

int PayloadTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    Node *p = nodeFor(parent);
    buildChildren(p);
    return int(p->children.size());
}

int PayloadTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool PayloadTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    const Node *n = nodeFor(parent);
    if (n == m_root.get())
        return !m_root->children.empty();
    if (n->kind != Node::Kind::Value)
        return false;
    return n->built ? !n->children.empty() : expandable(n->value);
}

QVariant PayloadTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *n = nodeFor(index);
    if (n->kind == Node::Kind::Value && !n->described) {
        n->described = true;
        n->type = typeName(n->value);
        n->summary = summary(n->value);
        n->isFrame = n->value.kind() == PyValue::Kind::Object && (n->type == QLatin1String("DataFrame") || n->type == QLatin1String("Series"));
    }
    if (role == IsTableRole)
        return n->kind == Node::Kind::Table || n->isFrame;
    if (role == JsonRole) {
        if (n->kind == Node::Kind::Table && m_table)
            return QString::fromUtf8(DecodeJson::table(*m_table));
        return QString::fromUtf8(DecodeJson::value(n->value));
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case KeyColumn:
        return n->key;
    case TypeColumn:
        if (n->kind == Node::Kind::Table)
            return QStringLiteral("Arrow table");
        if (n->kind == Node::Kind::Image)
            return QStringLiteral("image");
        if (n->kind == Node::Kind::More)
            return QString();
        return n->type;
    case ValueColumn:
        if (n->kind == Node::Kind::Table)
            return m_table ? QStringLiteral("%1 rows × %2 columns").arg(m_table->rowCount()).arg(m_table->columnCount()) : QString();
        if (n->kind == Node::Kind::Image)
            return m_image ? QStringLiteral("%1 %2×%3").arg(m_image->format).arg(m_image->width).arg(m_image->height) : QString();
        if (n->kind == Node::Kind::More)
            return n->value.toQString();
        return n->summary;
    default:
        return {};
    }
}

PyValue PayloadTreeModel::valueAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return {};
    const Node *n = nodeFor(index);
    return n->kind == Node::Kind::Value ? n->value : PyValue();
}

bool PayloadTreeModel::isArrowTable(const QModelIndex &index) const
{
    return index.isValid() && nodeFor(index)->kind == Node::Kind::Table;
}

QVariant PayloadTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn: return tr("Key");
    case TypeColumn: return tr("Type");
    case ValueColumn: return tr("Value");
    default: return {};
    }
}

} // namespace cachescope
