// The evaluator's core walk: statements, expressions, scopes, calls, classes and imports. Past
// 1,000 lines because Python's scoping, exceptions and import rules are one tightly coupled walk;
// built-ins (configbuiltins.cpp), modelled modules (configmodules.cpp) and operators
// (configoperators.cpp) live apart.
#include "configevaluator.h"

#include "configerrors.h"
#include "pyparser.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <cmath>

namespace cachescope::py {

struct Evaluator::Frame
{
    std::shared_ptr<Scope> scope;
    std::shared_ptr<Scope> globals;
    ValuePtr ret;
    std::shared_ptr<Module> module;
};

Evaluator::Evaluator(Options options) : m_opt(std::move(options))
{
    ValueHeap::Current heap(m_heap.get());
    installBuiltins();
}

Evaluator::~Evaluator()
{
    // Builtins and cached modules are values of this heap too; release them while it is current-free.
    ValueHeap::Current heap(m_heap.get());
    m_builtins.clear();
    m_modules.clear();
    m_exceptions.clear();
    m_environ.reset();
    m_mainModule.reset();
}

void Evaluator::raise(const QString &excClass, const QString &message, const SourceSpan &span)
{
    ValuePtr cls = exceptionClass(excClass);
    auto inst = std::make_shared<Value>();
    inst->kind = Value::Kind::Instance;
    inst->self = cls;
    inst->dict = std::make_shared<DictData>();
    if (!message.isNull())
        inst->items.push_back(Value::str(message));
    inst->span = span;
    throw PyError{inst};
}

void Evaluator::abort(const QString &code, const QString &message, const SourceSpan &span)
{
    throw EvalAbort{code, message, span};
}

void Evaluator::step(const SourceSpan &span)
{
    if (++m_steps > m_opt.maxSteps)
        abort(QStringLiteral("step-limit"),
              QStringLiteral("evaluation stopped after %1 steps (an endless loop?)").arg(m_opt.maxSteps), span);
}

void Evaluator::charge(qint64 bytes, const SourceSpan &span)
{
    m_bytes += bytes;
    if (bytes > 64LL * 1024 * 1024 || m_bytes > m_opt.maxBytes)
        abort(QStringLiteral("memory-limit"),
              QStringLiteral("evaluation stopped: values would exceed %1 MiB").arg(m_opt.maxBytes / (1024 * 1024)), span);
}

void Evaluator::diagnose(const QString &severity, const QString &code, const QString &message, const SourceSpan &span)
{
    if (!m_result)
        return;
    if (m_result->diagnostics.size() > 500)
        return;
    const QString key = m_currentFile + QString::number(span.line) + u':' + QString::number(span.column) + code;
    if (code == u"unknown-value" || code == u"unknown-condition" || code == u"side-effect") {
        if (m_reportedUnknowns.contains(key))
            return;
        m_reportedUnknowns.insert(key);
    }
    m_result->diagnostics.push_back(Diagnostic{severity, span, code, message, m_currentFile});
}

void Evaluator::noteEnvironmentListed(const SourceSpan &span)
{
    diagnose(QStringLiteral("info"), QStringLiteral("environment-listed"), QStringLiteral("the whole environment is read here"), span);
}

const DictData *Evaluator::mappingEntries(const ValuePtr &v, const SourceSpan &span)
{
    if (!isMapping(*v))
        return nullptr;
    if (isEnviron(*v))
        noteEnvironmentListed(span);
    return v->dict.get();
}

bool Evaluator::mergeInto(DictData &into, const ValuePtr &src, const SourceSpan &span)
{
    if (src->kind == Value::Kind::Unknown)
        return false;
    if (const DictData *entries = mappingEntries(src, span)) {
        if (entries == &into)
            return true;
        for (const auto &e : entries->entries)
            into.set(*hashKey(e.key), e.key, e.value, e.span.isValid() ? e.span : span);
    } else {
        for (const auto &pair : iterate(src, span)) {
            const auto kv = iterate(pair, span);
            if (kv.size() != 2)
                raise(QStringLiteral("ValueError"),
                      QStringLiteral("dictionary update sequence element has length %1; 2 is required").arg(kv.size()), span);
            into.set(requireHashKey(kv[0], span), kv[0], kv[1], span);
        }
    }
    if (into.entries.size() > 1'000'000)
        abort(QStringLiteral("memory-limit"), QStringLiteral("dict grows beyond 1000000 items"), span);
    return true;
}

ValuePtr Evaluator::exceptionClass(const QString &name) const
{
    auto it = m_exceptions.find(name);
    if (it != m_exceptions.end())
        return it.value();
    return m_exceptions.value(QStringLiteral("Exception"));
}

bool Evaluator::isInstance(const ValuePtr &v, const ValuePtr &cls)
{
    if (!cls)
        return false;
    if (cls->kind == Value::Kind::Tuple) {
        for (const auto &c : cls->items)
            if (isInstance(v, c))
                return true;
        return false;
    }
    if (cls->kind == Value::Kind::Native) {
        // isinstance(x, str) and friends: natives named after types.
        const QString t = typeName(*v);
        if (cls->s == t)
            return true;
        if (cls->s == u"int" && v->kind == Value::Kind::Bool)
            return true;
        if (cls->s == u"object")
            return true;
        return false;
    }
    if (cls->kind != Value::Kind::Class)
        return false;
    ValuePtr c;
    if (v->kind == Value::Kind::Instance)
        c = v->self;
    else if (v->kind == Value::Kind::Class)
        c = v; // issubclass use
    if (!c)
        return cls->s == u"object" && cls->builtinClass;
    std::vector<ValuePtr> stack{c};
    int guard = 0;
    while (!stack.empty() && ++guard < 10000) {
        ValuePtr x = stack.back();
        stack.pop_back();
        if (x.get() == cls.get())
            return true;
        for (const auto &b : x->items)
            if (b && b->kind == Value::Kind::Class)
                stack.push_back(b);
    }
    return false;
}

QString Evaluator::requireHashKey(const ValuePtr &v, const SourceSpan &span)
{
    auto k = hashKey(v);
    if (!k)
        raise(QStringLiteral("TypeError"), QStringLiteral("unhashable type: '%1'").arg(typeName(*v)), span);
    return *k;
}

// ---------------------------------------------------------------- running

Evaluator::Result Evaluator::runFile(const QString &path)
{
    QFile file(path);
    Result result;
    if (!file.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("%1: cannot open: %2").arg(path, file.errorString());
        return result;
    }
    if (file.size() > m_opt.maxFileBytes) {
        result.error = QStringLiteral("%1: file is %2 bytes, more than the %3-byte limit")
                           .arg(path)
                           .arg(file.size())
                           .arg(m_opt.maxFileBytes);
        result.diagnostics.push_back(Diagnostic{QStringLiteral("error"), SourceSpan{1, 1, 1, 1},
                                                QStringLiteral("file-too-large"), result.error, {}});
        return result;
    }
    const QByteArray data = file.readAll();
    const QString dir = QFileInfo(path).absolutePath();
    if (!m_opt.searchPath.contains(dir))
        m_opt.searchPath.prepend(dir);
    return run(QString::fromUtf8(data), QFileInfo(path).absoluteFilePath());
}

Evaluator::Result Evaluator::runSource(const QString &source, const QString &fileName)
{
    return run(source, fileName);
}

Evaluator::Result Evaluator::run(const QString &source, const QString &fileName)
{
    Result result;
    result.heap = m_heap;
    ValueHeap::Current heapScope(m_heap.get());
    m_result = &result;
    auto parsed = PyParser::parse(source, QFileInfo(fileName).fileName());
    if (!parsed) {
        result.error = parsed.error();
        static const QRegularExpression re(QStringLiteral("line (\\d+), column (\\d+)"));
        const auto m = re.match(parsed.error());
        SourceSpan span{1, 1, 1, 1};
        if (m.hasMatch())
            span = SourceSpan{m.captured(1).toInt(), m.captured(2).toInt(), m.captured(1).toInt(), m.captured(2).toInt() + 1};
        result.errorSpan = span;
        result.diagnostics.push_back(Diagnostic{QStringLiteral("error"), span, QStringLiteral("syntax-error"), parsed.error(), {}});
        m_result = nullptr;
        return result;
    }
    result.tree = parsed.value();
    m_trees.push_back(result.tree);
    auto globals = std::make_shared<Scope>();
    globals->isModule = true;
    // Superset loads the file as module "superset_config" whatever its name (`import
    // superset_config` from the path, or importlib with that name for SUPERSET_CONFIG_PATH).
    globals->vars->set(QStringLiteral("s:__name__"), Value::str(QStringLiteral("__name__")), Value::str(QStringLiteral("superset_config")), {});
    globals->vars->set(QStringLiteral("s:__file__"), Value::str(QStringLiteral("__file__")), Value::str(fileName), {});
    result.globals = globals;
    m_mainModule = std::make_shared<Value>();
    m_mainModule->kind = Value::Kind::Module;
    m_mainModule->s = QStringLiteral("superset_config");
    m_mainModule->dict = globals->vars;
    m_mainPath = QFileInfo(fileName).absoluteFilePath();
    Frame f{globals, globals, nullptr, result.tree};
    try {
        execBlock(result.tree->root->list, f);
        result.loaded = true;
    } catch (const PyError &e) {
        const QString cls = e.exc && e.exc->self ? e.exc->self->s : QStringLiteral("Exception");
        if (cls == u"SystemExit") {
            result.error = QStringLiteral("exit() was reached: Superset would stop here");
            result.errorSpan = e.exc->span;
            diagnose(QStringLiteral("error"), QStringLiteral("exit-reached"), result.error, e.exc->span);
        } else {
            result.error = QStringLiteral("uncaught %1: %2").arg(cls, pyStr(e.exc));
            result.errorSpan = e.exc ? e.exc->span : SourceSpan{};
            diagnose(QStringLiteral("error"), QStringLiteral("uncaught-exception"),
                     result.error + QStringLiteral(" (Superset would fail to load this file)"), result.errorSpan);
        }
    } catch (const EvalAbort &a) {
        result.error = a.message;
        result.errorSpan = a.span;
        diagnose(QStringLiteral("error"), a.code, a.message, a.span);
    }
    m_result = nullptr;
    return result;
}

// ---------------------------------------------------------------- statements

Evaluator::Flow Evaluator::execBlock(const std::vector<Node *> &body, Frame &f)
{
    for (const Node *s : body) {
        const Flow flow = exec(s, f);
        if (flow != Flow::Normal)
            return flow;
    }
    return Flow::Normal;
}

// Bounds the C++ recursion of nested statements and expressions across Python calls, so a deep
// expression inside a recursive function raises RecursionError instead of exhausting the stack.
struct Evaluator::NestingGuard
{
    Evaluator &ev;
    NestingGuard(Evaluator &e, const SourceSpan &span) : ev(e)
    {
        if (++ev.m_nesting > kMaxNesting) {
            --ev.m_nesting;
            ev.raise(QStringLiteral("RecursionError"), QStringLiteral("maximum recursion depth exceeded"), span);
        }
    }
    ~NestingGuard() { --ev.m_nesting; }
    static constexpr int kMaxNesting = 1500;
};

namespace {
thread_local std::vector<ValuePtr> t_handling; // exceptions being handled (for bare raise)

struct DepthCounter
{
    int &d;
    explicit DepthCounter(int &depth) : d(depth) { ++d; }
    ~DepthCounter() { --d; }
};
} // namespace

Evaluator::Flow Evaluator::exec(const Node *n, Frame &f)
{
    step(n->span);
    NestingGuard nesting(*this, n->span);
    switch (n->kind) {
    case NodeKind::ExprStmt:
        eval(n->a, f);
        return Flow::Normal;
    case NodeKind::Assign: {
        ValuePtr v = eval(n->a, f);
        for (const Node *t : n->list)
            assign(t, v, f, n->a->span);
        return Flow::Normal;
    }
    case NodeKind::AnnAssign:
        if (n->c)
            assign(n->a, eval(n->c, f), f, n->c->span);
        // Module and class annotations are evaluated after the assignment, as Python does, unless
        // "from __future__ import annotations" made them lazy (a NameError here fails the load).
        if ((f.scope->isModule || f.scope->isClass) && !lazyAnnotations(f.module.get()))
            eval(n->b, f);
        return Flow::Normal;
    case NodeKind::AugAssign: {
        const Node *t = n->a;
        ValuePtr obj, key, cur;
        if (t->kind == NodeKind::Name) {
            cur = lookup(t->str, f, t->span);
        } else if (t->kind == NodeKind::Attribute) {
            obj = eval(t->a, f);
            cur = getAttr(obj, t->str, t->span);
        } else {
            obj = eval(t->a, f);
            if (t->b->kind == NodeKind::Slice)
                abort(QStringLiteral("unsupported"), QStringLiteral("augmented assignment to a slice is not supported"), t->span);
            key = eval(t->b, f);
            cur = getItem(obj, key, t->span);
        }
        ValuePtr rhs = eval(n->b, f);
        ValuePtr res;
        // In-place forms mutate the object (aliases see the change), as Python's __iadd__/__ior__.
        if (cur->kind == Value::Kind::List && n->str == u"+") {
            auto items = iterate(rhs, n->b->span);
            charge(qint64(items.size()) * 16, n->span);
            if (cur->items.size() + items.size() > 1'000'000)
                abort(QStringLiteral("memory-limit"), QStringLiteral("list grows beyond 1000000 items"), n->span);
            cur->items.insert(cur->items.end(), items.begin(), items.end());
            res = cur;
        } else if (cur->kind == Value::Kind::Dict && n->str == u"|" && rhs->kind == Value::Kind::Dict) {
            for (const auto &e : rhs->dict->entries)
                cur->dict->set(*hashKey(e.key), e.key, e.value, e.span);
            res = cur;
        } else {
            res = binaryOp(n->str, cur, rhs, n->span);
        }
        if (t->kind == NodeKind::Name)
            bind(t->str, res, f, n->span);
        else if (t->kind == NodeKind::Attribute)
            assign(t, res, f, n->span);
        else
            setItem(obj, key, res, n->span);
        return Flow::Normal;
    }
    case NodeKind::Pass:
        return Flow::Normal;
    case NodeKind::Break:
        return Flow::Break;
    case NodeKind::Continue:
        return Flow::Continue;
    case NodeKind::Return:
        f.ret = n->a ? eval(n->a, f) : Value::none();
        return Flow::Return;
    case NodeKind::Raise: {
        if (!n->a) {
            if (t_handling.empty())
                raise(QStringLiteral("RuntimeError"), QStringLiteral("No active exception to reraise"), n->span);
            throw PyError{t_handling.back()};
        }
        ValuePtr e = eval(n->a, f);
        if (n->b)
            eval(n->b, f);
        if (e->kind == Value::Kind::Class && e->isExceptionClass) {
            CallArgs none;
            none.span = n->span;
            e = instantiate(e, none);
        }
        if (e->kind == Value::Kind::Instance && e->self && e->self->isExceptionClass) {
            if (!e->span.isValid())
                e->span = n->span;
            throw PyError{e};
        }
        if (e->kind == Value::Kind::Unknown || e->kind == Value::Kind::Call || e->kind == Value::Kind::Imported) {
            // An exception of a class we do not model: still an exception (caught by "except Exception").
            auto inst = std::make_shared<Value>();
            inst->kind = Value::Kind::Instance;
            inst->self = exceptionClass(QStringLiteral("Exception"));
            inst->dict = std::make_shared<DictData>();
            inst->items.push_back(Value::str(pyRepr(e)));
            inst->span = n->span;
            throw PyError{inst};
        }
        raise(QStringLiteral("TypeError"), QStringLiteral("exceptions must derive from BaseException"), n->span);
    }
    case NodeKind::Global:
        for (const QString &name : n->names)
            f.scope->globals.insert(name);
        return Flow::Normal;
    case NodeKind::Nonlocal:
        for (const QString &name : n->names)
            f.scope->nonlocals.insert(name);
        return Flow::Normal;
    case NodeKind::Delete:
        for (const Node *t : n->list) {
            if (t->kind == NodeKind::Name) {
                unbind(t->str, f, t->span);
            } else if (t->kind == NodeKind::Subscript) {
                ValuePtr obj = eval(t->a, f);
                ValuePtr key = eval(t->b, f);
                if (obj->kind == Value::Kind::Dict) {
                    if (!obj->dict->remove(requireHashKey(key, t->span)))
                        raise(QStringLiteral("KeyError"), pyRepr(key), t->span);
                } else if (obj->kind == Value::Kind::List && key->isIntLike()) {
                    qint64 i = key->asInt();
                    if (i < 0)
                        i += qint64(obj->items.size());
                    if (i < 0 || i >= qint64(obj->items.size()))
                        raise(QStringLiteral("IndexError"), QStringLiteral("list assignment index out of range"), t->span);
                    obj->items.erase(obj->items.begin() + i);
                } else if (isEnviron(*obj)) {
                    if (key->kind != Value::Kind::Str)
                        raise(QStringLiteral("TypeError"), QStringLiteral("str expected, not %1").arg(typeName(*key)), t->span);
                    if (!obj->dict->remove(QStringLiteral("s:") + key->s))
                        raise(QStringLiteral("KeyError"), pyRepr(key), t->span);
                } else if (obj->kind != Value::Kind::Unknown) {
                    raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object doesn't support item deletion").arg(typeName(*obj)), t->span);
                }
            } else if (t->kind == NodeKind::Attribute) {
                ValuePtr obj = eval(t->a, f);
                if (obj->dict && (obj->kind == Value::Kind::Instance || obj->kind == Value::Kind::Class || obj->kind == Value::Kind::Module))
                    obj->dict->remove(QStringLiteral("s:") + t->str);
            }
        }
        return Flow::Normal;
    case NodeKind::Assert:
        if (!truthy(eval(n->a, f), n->a->span))
            raise(QStringLiteral("AssertionError"), n->b ? pyStr(eval(n->b, f)) : QString(), n->span);
        return Flow::Normal;
    case NodeKind::Import:
        execImport(n, f);
        return Flow::Normal;
    case NodeKind::ImportFrom:
        execImportFrom(n, f);
        return Flow::Normal;
    case NodeKind::If:
        if (truthy(eval(n->a, f), n->a->span))
            return execBlock(n->list, f);
        return execBlock(n->list2, f);
    case NodeKind::While: {
        while (true) {
            step(n->span);
            if (!truthy(eval(n->a, f), n->a->span))
                return execBlock(n->list2, f);
            const Flow flow = execBlock(n->list, f);
            if (flow == Flow::Break)
                return Flow::Normal;
            if (flow == Flow::Return)
                return flow;
        }
    }
    case NodeKind::For: {
        ValuePtr it = eval(n->b, f);
        auto body = [&](const ValuePtr &item) -> int {
            step(n->span);
            assign(n->a, item, f, n->b->span);
            const Flow flow = execBlock(n->list, f);
            if (flow == Flow::Break)
                return 1;
            if (flow == Flow::Return)
                return 2;
            return 0;
        };
        if (it->kind == Value::Kind::Range) {
            const qint64 start = it->items[0]->i, stop = it->items[1]->i, stepBy = it->items[2]->i;
            for (qint64 i = start; stepBy > 0 ? i < stop : i > stop; i += stepBy) {
                const int r = body(Value::integer(i));
                if (r == 1)
                    return Flow::Normal;
                if (r == 2)
                    return Flow::Return;
            }
        } else {
            const auto items = iterate(it, n->b->span);
            for (const auto &item : items) {
                const int r = body(item);
                if (r == 1)
                    return Flow::Normal;
                if (r == 2)
                    return Flow::Return;
            }
        }
        return execBlock(n->list2, f);
    }
    case NodeKind::Try: {
        Flow flow = Flow::Normal;
        std::optional<PyError> pending;
        bool raised = false;
        try {
            flow = execBlock(n->list, f);
        } catch (const PyError &e) {
            raised = true;
            const Node *handler = nullptr;
            for (const Node *h : n->list3) {
                if (!h->a) {
                    handler = h;
                    break;
                }
                ValuePtr cls = eval(h->a, f);
                if (isInstance(e.exc, cls)) {
                    handler = h;
                    break;
                }
            }
            if (handler) {
                t_handling.push_back(e.exc);
                try {
                    if (!handler->str.isEmpty())
                        bind(handler->str, e.exc, f, handler->span);
                    flow = execBlock(handler->list, f);
                    if (!handler->str.isEmpty())
                        unbind(handler->str, f, handler->span);
                } catch (const PyError &inner) {
                    pending = inner;
                }
                t_handling.pop_back();
            } else {
                pending = e;
            }
        }
        if (!raised && flow == Flow::Normal && !n->list2.empty()) {
            try {
                flow = execBlock(n->list2, f);
            } catch (const PyError &e) {
                pending = e;
            }
        }
        if (!n->list4.empty()) {
            const Flow ff = execBlock(n->list4, f);
            if (ff != Flow::Normal) {
                pending.reset();
                flow = ff;
            }
        }
        if (pending)
            throw *pending;
        return flow;
    }
    case NodeKind::With: {
        for (const Node *item : n->list3) {
            ValuePtr ctx = eval(item->a, f);
            if (item->b) {
                ValuePtr bound = ctx->kind == Value::Kind::Unknown
                                     ? ctx
                                     : Value::unknown(QStringLiteral("value of a 'with' statement is not modelled"), item->span);
                assign(item->b, bound, f, item->span);
            }
        }
        return execBlock(n->list, f);
    }
    case NodeKind::FunctionDef: {
        ValuePtr fn = makeFunction(n, f, n->str);
        for (auto it = n->list2.rbegin(); it != n->list2.rend(); ++it) {
            ValuePtr dec = eval(*it, f);
            CallArgs a;
            a.args.push_back(fn);
            a.argSpans.push_back(n->span);
            a.span = (*it)->span;
            fn = call(dec, a);
        }
        bind(n->str, fn, f, n->span);
        return Flow::Normal;
    }
    case NodeKind::ClassDef: {
        ValuePtr cls = makeClass(n, f);
        for (auto it = n->list2.rbegin(); it != n->list2.rend(); ++it) {
            ValuePtr dec = eval(*it, f);
            CallArgs a;
            a.args.push_back(cls);
            a.argSpans.push_back(n->span);
            a.span = (*it)->span;
            cls = call(dec, a);
        }
        bind(n->str, cls, f, n->span);
        return Flow::Normal;
    }
    case NodeKind::Match:
        eval(n->a, f);
        diagnose(QStringLiteral("warning"), QStringLiteral("unsupported"),
                 QStringLiteral("'match' statements are not evaluated; their cases were skipped"), n->span);
        return Flow::Normal;
    default:
        abort(QStringLiteral("internal"), QStringLiteral("unexpected statement"), n->span);
    }
}

void Evaluator::assign(const Node *target, const ValuePtr &value, Frame &f, const SourceSpan &valueSpan)
{
    switch (target->kind) {
    case NodeKind::Name: {
        // A name's span runs from the name to the end of its value: "X = {...}".
        SourceSpan span = valueSpan;
        if (valueSpan.isValid() && (valueSpan.line > target->span.line
                                    || (valueSpan.line == target->span.line && valueSpan.column >= target->span.column)))
            span = SourceSpan{target->span.line, target->span.column, valueSpan.endLine, valueSpan.endColumn};
        bind(target->str, value, f, span);
        return;
    }
    case NodeKind::Attribute: {
        ValuePtr obj = eval(target->a, f);
        if (obj->kind == Value::Kind::Instance || obj->kind == Value::Kind::Class || obj->kind == Value::Kind::Module
            || obj->kind == Value::Kind::Object) {
            if (isEnviron(*obj)) { // its attribute dict is the environment itself: keep them apart
                diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                         QStringLiteral("attribute '%1' set on os.environ is not modelled; ignored").arg(target->str), target->span);
                return;
            }
            if (viewKind(*obj) != ViewKind::None)
                raise(QStringLiteral("AttributeError"),
                      QStringLiteral("'%1' object has no attribute '%2'").arg(typeName(*obj), target->str), target->span);
            obj->dict->set(QStringLiteral("s:") + target->str, Value::str(target->str), value, valueSpan);
            return;
        }
        if (obj->kind == Value::Kind::Unknown || obj->kind == Value::Kind::Call || obj->kind == Value::Kind::Imported) {
            diagnose(QStringLiteral("info"), QStringLiteral("unknown-value"),
                     QStringLiteral("attribute '%1' set on an object that is not modelled; ignored").arg(target->str), target->span);
            return;
        }
        raise(QStringLiteral("AttributeError"),
              QStringLiteral("'%1' object has no attribute '%2'").arg(typeName(*obj), target->str), target->span);
    }
    case NodeKind::Subscript: {
        ValuePtr obj = eval(target->a, f);
        if (target->b->kind == NodeKind::Slice) {
            if (obj->kind != Value::Kind::List)
                raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object does not support slice assignment").arg(typeName(*obj)), target->span);
            const qint64 n = qint64(obj->items.size());
            auto bound = [&](const Node *e, qint64 def) {
                if (!e)
                    return def;
                ValuePtr v = eval(e, f);
                if (v->kind == Value::Kind::None)
                    return def;
                qint64 x = v->asInt();
                if (x < 0)
                    x += n;
                return std::clamp<qint64>(x, 0, n);
            };
            if (target->b->c)
                abort(QStringLiteral("unsupported"), QStringLiteral("extended slice assignment is not supported"), target->span);
            const qint64 lo = bound(target->b->a, 0);
            const qint64 hi = std::max(lo, bound(target->b->b, n));
            auto items = iterate(value, valueSpan);
            obj->items.erase(obj->items.begin() + lo, obj->items.begin() + hi);
            obj->items.insert(obj->items.begin() + lo, items.begin(), items.end());
            return;
        }
        ValuePtr key = eval(target->b, f);
        setItem(obj, key, value, valueSpan);
        return;
    }
    case NodeKind::TupleExpr:
    case NodeKind::ListExpr: {
        if (value->kind == Value::Kind::Unknown) {
            for (const Node *t : target->list)
                assign(t->kind == NodeKind::Starred ? t->a : t, value, f, valueSpan);
            return;
        }
        auto items = iterate(value, valueSpan);
        int starAt = -1;
        for (size_t i = 0; i < target->list.size(); ++i)
            if (target->list[i]->kind == NodeKind::Starred)
                starAt = int(i);
        const size_t n = target->list.size();
        if (starAt < 0) {
            if (items.size() != n)
                raise(QStringLiteral("ValueError"),
                      items.size() > n ? QStringLiteral("too many values to unpack (expected %1)").arg(n)
                                       : QStringLiteral("not enough values to unpack (expected %1, got %2)").arg(n).arg(items.size()),
                      target->span);
            for (size_t i = 0; i < n; ++i)
                assign(target->list[i], items[i], f, valueSpan);
            return;
        }
        if (items.size() < n - 1)
            raise(QStringLiteral("ValueError"), QStringLiteral("not enough values to unpack"), target->span);
        const size_t after = n - size_t(starAt) - 1;
        for (size_t i = 0; i < size_t(starAt); ++i)
            assign(target->list[i], items[i], f, valueSpan);
        std::vector<ValuePtr> rest(items.begin() + starAt, items.end() - qint64(after));
        assign(target->list[size_t(starAt)]->a, Value::list(rest), f, valueSpan);
        for (size_t i = 0; i < after; ++i)
            assign(target->list[size_t(starAt) + 1 + i], items[items.size() - after + i], f, valueSpan);
        return;
    }
    case NodeKind::Starred:
        assign(target->a, value, f, valueSpan);
        return;
    default:
        raise(QStringLiteral("SyntaxError"), QStringLiteral("cannot assign to expression"), target->span);
    }
}

ValuePtr Evaluator::lookup(const QString &name, Frame &f, const SourceSpan &span)
{
    const QString key = QStringLiteral("s:") + name;
    Scope *s = f.scope.get();
    if (s->globals.contains(name)) {
        s = f.globals.get();
    } else {
        bool first = true;
        for (Scope *x = s; x; x = x->parent.get()) {
            if (x->isClass && !first)
                continue;
            first = false;
            if (const int at = x->vars->find(key); at >= 0)
                return x->vars->entries[size_t(at)].value;
            if (x->locals && x->locals->contains(name) && !x->nonlocals.contains(name) && !x->globals.contains(name))
                raise(QStringLiteral("UnboundLocalError"),
                      QStringLiteral("cannot access local variable '%1' where it is not associated with a value").arg(name), span);
        }
        s = nullptr;
    }
    if (s) {
        if (const int at = s->vars->find(key); at >= 0)
            return s->vars->entries[size_t(at)].value;
    } else if (const int at = f.globals->vars->find(key); at >= 0) {
        return f.globals->vars->entries[size_t(at)].value;
    }
    if (ValuePtr b = builtin(name))
        return b;
    if (const QStringList from = m_partialStars.value(f.globals->vars.get()); !from.isEmpty() && !name.startsWith(u'_')) {
        diagnose(QStringLiteral("info"), QStringLiteral("unknown-value"),
                 QStringLiteral("'%1' is not defined in this file; it would come from 'from %2 import *', which is only partly modelled")
                     .arg(name, from.join(QStringLiteral(" import *', 'from "))),
                 span);
        return Value::unknown(QStringLiteral("%1 from %2 (not modelled)").arg(name, from.join(QStringLiteral(", "))), span);
    }
    raise(QStringLiteral("NameError"), QStringLiteral("name '%1' is not defined").arg(name), span);
}

void Evaluator::bind(const QString &name, const ValuePtr &value, Frame &f, const SourceSpan &span)
{
    Scope *s = f.scope.get();
    if (s->globals.contains(name)) {
        s = f.globals.get();
    } else if (s->nonlocals.contains(name)) {
        for (Scope *x = s->parent.get(); x; x = x->parent.get()) {
            if (x->isModule)
                break;
            if (x->vars->find(QStringLiteral("s:") + name) >= 0) {
                s = x;
                break;
            }
        }
    }
    s->vars->set(QStringLiteral("s:") + name, Value::str(name), value, span);
}

void Evaluator::unbind(const QString &name, Frame &f, const SourceSpan &span)
{
    Scope *s = f.scope->globals.contains(name) ? f.globals.get() : f.scope.get();
    if (!s->vars->remove(QStringLiteral("s:") + name))
        raise(QStringLiteral("NameError"), QStringLiteral("name '%1' is not defined").arg(name), span);
}

// ---------------------------------------------------------------- expressions

ValuePtr Evaluator::eval(const Node *n, Frame &f)
{
    step(n->span);
    NestingGuard nesting(*this, n->span);
    switch (n->kind) {
    case NodeKind::Constant:
        switch (n->constKind) {
        case ConstKind::None: return Value::none();
        case ConstKind::True: return Value::boolean(true);
        case ConstKind::False: return Value::boolean(false);
        case ConstKind::Ellipsis: {
            auto e = std::make_shared<Value>();
            e->kind = Value::Kind::Ellipsis;
            return e;
        }
        case ConstKind::Int: {
            bool ok = false;
            const QString t = n->str.toLower();
            qint64 v = 0;
            if (t.startsWith(u"0x"))
                v = t.mid(2).toLongLong(&ok, 16);
            else if (t.startsWith(u"0o"))
                v = t.mid(2).toLongLong(&ok, 8);
            else if (t.startsWith(u"0b"))
                v = t.mid(2).toLongLong(&ok, 2);
            else
                v = t.toLongLong(&ok, 10);
            if (!ok)
                abort(QStringLiteral("int-too-large"), QStringLiteral("integer literal does not fit in 64 bits"), n->span);
            return Value::integer(v);
        }
        case ConstKind::Float:
            return Value::floating(n->str.toDouble());
        case ConstKind::Imaginary:
            return Value::unknown(QStringLiteral("complex numbers are not modelled"), n->span);
        case ConstKind::Str:
            charge(n->str.size() * 2, n->span);
            return Value::str(n->str);
        case ConstKind::Bytes:
            charge(n->str.size(), n->span);
            return Value::bytes(n->str);
        }
        break;
    case NodeKind::JoinedStr: {
        QString out;
        for (const Node *part : n->list) {
            if (part->kind == NodeKind::Constant) {
                out += part->str;
                continue;
            }
            ValuePtr v = eval(part->a, f);
            if (v->kind == Value::Kind::Unknown)
                return Value::unknown(v->s, v->span);
            if (part->num == 'r' || part->num == 'a')
                v = Value::str(pyRepr(v));
            else if (part->num == 's')
                v = strOf(v, part->span);
            QString spec;
            if (part->b) {
                ValuePtr s = eval(part->b, f);
                if (s->kind == Value::Kind::Unknown)
                    return s;
                spec = s->s;
            }
            out += format(v, spec, part->span);
            charge(out.size() * 2, n->span);
        }
        return Value::str(out);
    }
    case NodeKind::Name:
        return lookup(n->str, f, n->span);
    case NodeKind::BinOp: {
        ValuePtr a = eval(n->a, f);
        ValuePtr b = eval(n->b, f);
        return binaryOp(n->str, a, b, n->span);
    }
    case NodeKind::UnaryOp: {
        ValuePtr v = eval(n->a, f);
        if (n->str == u"not") {
            if (v->kind == Value::Kind::Unknown)
                return Value::unknown(v->s, v->span);
            return Value::boolean(!truthy(v, n->span));
        }
        return unaryOp(n->str, v, n->span);
    }
    case NodeKind::BoolOp: {
        ValuePtr v;
        const bool isOr = n->str == u"or";
        for (const Node *e : n->list) {
            v = eval(e, f);
            if (v->kind == Value::Kind::Unknown) {
                // "x or default" with an unknown x: Python would pick one; we cannot know which.
                return v;
            }
            if (truthy(v, e->span) == isOr)
                return v;
        }
        return v;
    }
    case NodeKind::Compare: {
        ValuePtr left = eval(n->a, f);
        for (size_t i = 0; i < n->list.size(); ++i) {
            ValuePtr right = eval(n->list[i], f);
            ValuePtr r = compareOp(n->names[i], left, right, n->span);
            if (r->kind == Value::Kind::Unknown)
                return r;
            if (!r->b)
                return r;
            left = right;
        }
        return Value::boolean(true);
    }
    case NodeKind::Call:
        return evalCall(n, f);
    case NodeKind::Attribute:
        return getAttr(eval(n->a, f), n->str, n->span);
    case NodeKind::Subscript:
        return subscript(eval(n->a, f), n->b, f);
    case NodeKind::Starred:
        raise(QStringLiteral("SyntaxError"), QStringLiteral("can't use starred expression here"), n->span);
    case NodeKind::ListExpr:
    case NodeKind::TupleExpr:
    case NodeKind::SetExpr: {
        std::vector<ValuePtr> items;
        for (const Node *e : n->list) {
            if (e->kind == NodeKind::Starred) {
                auto more = iterate(eval(e->a, f), e->span);
                items.insert(items.end(), more.begin(), more.end());
            } else {
                items.push_back(eval(e, f));
            }
            if (items.size() > 1'000'000)
                abort(QStringLiteral("memory-limit"), QStringLiteral("display grows beyond 1000000 items"), n->span);
        }
        charge(qint64(items.size()) * 16, n->span);
        if (n->kind == NodeKind::ListExpr)
            return Value::list(std::move(items));
        if (n->kind == NodeKind::TupleExpr)
            return Value::tuple(std::move(items));
        std::vector<ValuePtr> unique;
        QSet<QString> seen;
        for (const auto &x : items) {
            const QString k = requireHashKey(x, n->span);
            if (!seen.contains(k)) {
                seen.insert(k);
                unique.push_back(x);
            }
        }
        return Value::set(std::move(unique));
    }
    case NodeKind::DictExpr: {
        ValuePtr d = Value::newDict();
        for (size_t i = 0; i < n->list.size(); ++i) {
            if (!n->list[i]) {
                ValuePtr src = eval(n->list2[i], f);
                if (const DictData *entries = mappingEntries(src, n->list2[i]->span)) {
                    for (const auto &e : entries->entries)
                        d->dict->set(*hashKey(e.key), e.key, e.value, e.span);
                } else if (src->kind == Value::Kind::Unknown) {
                    diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                             QStringLiteral("'**' of an unknown value: its keys are missing here (%1)").arg(src->s), n->list2[i]->span);
                } else {
                    raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object is not a mapping").arg(typeName(*src)), n->list2[i]->span);
                }
                continue;
            }
            ValuePtr k = eval(n->list[i], f);
            ValuePtr v = eval(n->list2[i], f);
            const SourceSpan span{n->list[i]->span.line, n->list[i]->span.column, n->list2[i]->span.endLine, n->list2[i]->span.endColumn};
            d->dict->set(requireHashKey(k, n->list[i]->span), k, v, span);
        }
        charge(qint64(d->dict->entries.size()) * 32, n->span);
        return d;
    }
    case NodeKind::IfExp:
        return truthy(eval(n->a, f), n->a->span) ? eval(n->b, f) : eval(n->c, f);
    case NodeKind::Lambda:
        return makeFunction(n, f, QStringLiteral("<lambda>"));
    case NodeKind::ListComp:
    case NodeKind::SetComp:
    case NodeKind::DictComp:
    case NodeKind::GeneratorExp:
        return evalComprehension(n, f);
    case NodeKind::NamedExpr: {
        ValuePtr v = eval(n->b, f);
        bind(n->a->str, v, f, n->b->span);
        return v;
    }
    case NodeKind::Await:
    case NodeKind::Yield:
    case NodeKind::YieldFrom:
        return Value::unknown(QStringLiteral("generators and coroutines are not modelled"), n->span);
    case NodeKind::Slice:
        raise(QStringLiteral("TypeError"), QStringLiteral("slice outside a subscript"), n->span);
    default:
        break;
    }
    abort(QStringLiteral("internal"), QStringLiteral("unexpected expression"), n->span);
}

ValuePtr Evaluator::evalComprehension(const Node *n, Frame &f)
{
    auto scope = std::make_shared<Scope>();
    scope->parent = f.scope;
    Frame inner{scope, f.globals, nullptr, f.module};
    std::vector<ValuePtr> out;
    ValuePtr dict = n->kind == NodeKind::DictComp ? Value::newDict() : nullptr;
    std::function<void(size_t)> loop = [&](size_t level) {
        if (level == n->list.size()) {
            if (dict) {
                ValuePtr k = eval(n->a, inner);
                ValuePtr v = eval(n->b, inner);
                dict->dict->set(requireHashKey(k, n->a->span), k, v, n->span);
            } else {
                out.push_back(eval(n->a, inner));
            }
            if (out.size() + (dict ? dict->dict->entries.size() : 0) > 1'000'000)
                abort(QStringLiteral("memory-limit"), QStringLiteral("comprehension grows beyond 1000000 items"), n->span);
            return;
        }
        const Node *c = n->list[level];
        // The first iterable is evaluated in the enclosing scope, as Python does.
        ValuePtr it = eval(c->b, level == 0 ? f : inner);
        std::vector<ValuePtr> items;
        if (it->kind == Value::Kind::Range) {
            const qint64 start = it->items[0]->i, stop = it->items[1]->i, st = it->items[2]->i;
            for (qint64 i = start; st > 0 ? i < stop : i > stop; i += st) {
                step(c->span);
                assign(c->a, Value::integer(i), inner, c->span);
                bool ok = true;
                for (const Node *cond : c->list)
                    if (!truthy(eval(cond, inner), cond->span)) {
                        ok = false;
                        break;
                    }
                if (ok)
                    loop(level + 1);
            }
            return;
        }
        items = iterate(it, c->b->span);
        for (const auto &item : items) {
            step(c->span);
            assign(c->a, item, inner, c->span);
            bool ok = true;
            for (const Node *cond : c->list)
                if (!truthy(eval(cond, inner), cond->span)) {
                    ok = false;
                    break;
                }
            if (ok)
                loop(level + 1);
        }
    };
    loop(0);
    charge(qint64(out.size()) * 16, n->span);
    switch (n->kind) {
    case NodeKind::DictComp: return dict;
    case NodeKind::SetComp: {
        std::vector<ValuePtr> unique;
        QSet<QString> seen;
        for (const auto &x : out) {
            const QString k = requireHashKey(x, n->span);
            if (!seen.contains(k)) {
                seen.insert(k);
                unique.push_back(x);
            }
        }
        return Value::set(unique);
    }
    case NodeKind::GeneratorExp: {
        // Generators are consumed eagerly; they only feed calls like join(), any(), list().
        auto g = Value::list(std::move(out));
        return g;
    }
    default:
        return Value::list(std::move(out));
    }
}

ValuePtr Evaluator::subscript(const ValuePtr &obj, const Node *index, Frame &f)
{
    if (index->kind == NodeKind::Slice) {
        auto part = [&](const Node *e) -> std::optional<qint64> {
            if (!e)
                return std::nullopt;
            ValuePtr v = eval(e, f);
            if (v->kind == Value::Kind::None)
                return std::nullopt;
            if (!v->isIntLike())
                raise(QStringLiteral("TypeError"), QStringLiteral("slice indices must be integers or None"), e->span);
            return v->asInt();
        };
        const auto lo = part(index->a), hi = part(index->b), st = part(index->c);
        if (obj->kind == Value::Kind::Unknown)
            return obj;
        qint64 n;
        if (obj->kind == Value::Kind::Str || obj->kind == Value::Kind::Bytes)
            n = obj->s.size();
        else if (obj->kind == Value::Kind::List || obj->kind == Value::Kind::Tuple)
            n = qint64(obj->items.size());
        else
            raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object is not subscriptable").arg(typeName(*obj)), index->span);
        const qint64 stepBy = st.value_or(1);
        if (stepBy == 0)
            raise(QStringLiteral("ValueError"), QStringLiteral("slice step cannot be zero"), index->span);
        auto norm = [&](std::optional<qint64> x, qint64 def, bool isLo) {
            if (!x)
                return def;
            qint64 v = *x;
            if (v < 0)
                v += n;
            if (stepBy > 0)
                return std::clamp<qint64>(v, 0, n);
            Q_UNUSED(isLo);
            return std::clamp<qint64>(v, -1, n - 1);
        };
        const qint64 a = norm(lo, stepBy > 0 ? 0 : n - 1, true);
        const qint64 b = norm(hi, stepBy > 0 ? n : -1, false);
        std::vector<qint64> idx;
        for (qint64 i = a; stepBy > 0 ? i < b : i > b; i += stepBy)
            idx.push_back(i);
        if (obj->kind == Value::Kind::Str || obj->kind == Value::Kind::Bytes) {
            QString s;
            if (stepBy == 1)
                s = obj->s.mid(a, std::max<qint64>(0, b - a));
            else
                for (qint64 i : idx)
                    s += obj->s.at(i);
            return obj->kind == Value::Kind::Str ? Value::str(s) : Value::bytes(s);
        }
        std::vector<ValuePtr> items;
        for (qint64 i : idx)
            items.push_back(obj->items[size_t(i)]);
        return obj->kind == Value::Kind::List ? Value::list(items) : Value::tuple(items);
    }
    ValuePtr key = eval(index, f);
    return getItem(obj, key, index->span);
}

ValuePtr Evaluator::evalCall(const Node *n, Frame &f)
{
    ValuePtr callee = eval(n->a, f);
    CallArgs args;
    args.span = n->span;
    for (const Node *a : n->list) {
        if (a->kind == NodeKind::Starred) {
            ValuePtr v = eval(a->a, f);
            if (v->kind == Value::Kind::Unknown) {
                diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                         QStringLiteral("'*' of an unknown value (%1)").arg(v->s), a->span);
                return Value::unknown(v->s, v->span);
            }
            for (const auto &x : iterate(v, a->span)) {
                args.args.push_back(x);
                args.argSpans.push_back(a->span);
            }
        } else {
            args.args.push_back(eval(a, f));
            args.argSpans.push_back(a->span);
        }
    }
    for (const Node *k : n->list2) {
        ValuePtr v = eval(k->a, f);
        if (k->str.isEmpty()) {
            if (v->kind == Value::Kind::Unknown) {
                diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                         QStringLiteral("'**' of an unknown value (%1)").arg(v->s), k->span);
                continue;
            }
            if (v->kind != Value::Kind::Dict)
                raise(QStringLiteral("TypeError"), QStringLiteral("argument after ** must be a mapping, not %1").arg(typeName(*v)), k->span);
            for (const auto &e : v->dict->entries) {
                if (e.key->kind != Value::Kind::Str)
                    raise(QStringLiteral("TypeError"), QStringLiteral("keywords must be strings"), k->span);
                for (const auto &existing : args.kwargs)
                    if (existing.first == e.key->s)
                        raise(QStringLiteral("TypeError"), QStringLiteral("got multiple values for keyword argument '%1'").arg(e.key->s), k->span);
                args.kwargs.emplace_back(e.key->s, e.value);
                args.kwargSpans.push_back(e.span.isValid() ? e.span : k->span);
            }
        } else {
            for (const auto &existing : args.kwargs)
                if (existing.first == k->str)
                    raise(QStringLiteral("SyntaxError"), QStringLiteral("keyword argument repeated: %1").arg(k->str), k->span);
            args.kwargs.emplace_back(k->str, v);
            args.kwargSpans.push_back(k->span);
        }
    }
    return call(callee, args);
}

ValuePtr Evaluator::call(const ValuePtr &callee, CallArgs &args)
{
    step(args.span);
    switch (callee->kind) {
    case Value::Kind::Native:
        return callee->fn(*this, callee->self, args);
    case Value::Kind::Function:
        return callFunction(callee, args);
    case Value::Kind::Class:
        return instantiate(callee, args);
    case Value::Kind::Imported: {
        // A cache/stats/schedule class: record the constructor call, never run it.
        auto rec = std::make_shared<Value>();
        rec->kind = Value::Kind::Call;
        rec->s = callee->s;
        rec->items = args.args;
        rec->dict = std::make_shared<DictData>();
        for (size_t i = 0; i < args.kwargs.size(); ++i)
            rec->dict->set(QStringLiteral("s:") + args.kwargs[i].first, Value::str(args.kwargs[i].first), args.kwargs[i].second,
                           args.kwargSpans.size() > i ? args.kwargSpans[i] : args.span);
        rec->span = args.span;
        // Positional argument spans ride along in `self` as a dict index -> span.
        auto spans = std::make_shared<DictData>();
        for (size_t i = 0; i < args.argSpans.size(); ++i)
            spans->set(QStringLiteral("i:") + QString::number(i), Value::integer(qint64(i)), Value::none(), args.argSpans[i]);
        auto spanHolder = std::make_shared<Value>();
        spanHolder->kind = Value::Kind::Dict;
        spanHolder->dict = spans;
        rec->self = spanHolder;
        return rec;
    }
    case Value::Kind::Unknown:
        return Value::unknown(callee->s, args.span);
    case Value::Kind::Call:
        return Value::unknown(QStringLiteral("calling an object built by %1 is not modelled").arg(callee->s), args.span);
    case Value::Kind::Object:
        if (callee->s == u"staticmethod" || callee->s == u"classmethod")
            return call(callee->self, args);
        [[fallthrough]];
    default:
        raise(QStringLiteral("TypeError"), QStringLiteral("'%1' object is not callable").arg(typeName(*callee)), args.span);
    }
}

const QSet<QString> &Evaluator::localNamesOf(const Node *fn)
{
    auto it = m_localNames.find(fn);
    if (it != m_localNames.end())
        return it.value();
    QSet<QString> names;
    std::function<void(const Node *)> target = [&](const Node *t) {
        if (!t)
            return;
        if (t->kind == NodeKind::Name)
            names.insert(t->str);
        else if (t->kind == NodeKind::TupleExpr || t->kind == NodeKind::ListExpr)
            for (const Node *e : t->list)
                target(e);
        else if (t->kind == NodeKind::Starred)
            target(t->a);
    };
    std::function<void(const std::vector<Node *> &)> walk = [&](const std::vector<Node *> &body) {
        for (const Node *s : body) {
            switch (s->kind) {
            case NodeKind::Assign:
                for (const Node *t : s->list)
                    target(t);
                break;
            case NodeKind::AugAssign:
            case NodeKind::AnnAssign:
                target(s->a);
                break;
            case NodeKind::For:
                target(s->a);
                walk(s->list);
                walk(s->list2);
                break;
            case NodeKind::If:
            case NodeKind::While:
                walk(s->list);
                walk(s->list2);
                break;
            case NodeKind::With:
                for (const Node *item : s->list3)
                    target(item->b);
                walk(s->list);
                break;
            case NodeKind::Try:
                walk(s->list);
                walk(s->list2);
                walk(s->list4);
                for (const Node *h : s->list3) {
                    if (!h->str.isEmpty())
                        names.insert(h->str);
                    walk(h->list);
                }
                break;
            case NodeKind::FunctionDef:
            case NodeKind::ClassDef:
                names.insert(s->str);
                break;
            case NodeKind::Import:
                for (const Node *a : s->list)
                    names.insert(a->str2.isEmpty() ? a->str.section(u'.', 0, 0) : a->str2);
                break;
            case NodeKind::ImportFrom:
                for (const Node *a : s->list)
                    if (a->str != u"*")
                        names.insert(a->str2.isEmpty() ? a->str : a->str2);
                break;
            case NodeKind::Delete:
                for (const Node *t : s->list)
                    target(t);
                break;
            default:
                break;
            }
        }
    };
    if (fn->kind == NodeKind::FunctionDef)
        walk(fn->list);
    const Node *args = fn->a;
    for (const Node *a : args->list)
        names.insert(a->str);
    for (const Node *a : args->list3)
        names.insert(a->str);
    if (args->b)
        names.insert(args->b->str);
    if (args->c)
        names.insert(args->c->str);
    return m_localNames.insert(fn, names).value();
}

bool Evaluator::lazyAnnotations(const Module *module)
{
    if (!module || !module->root)
        return true;
    auto it = m_lazyAnnotations.find(module);
    if (it != m_lazyAnnotations.end())
        return it.value();
    bool lazy = false;
    for (const Node *s : module->root->list)
        if (s->kind == NodeKind::ImportFrom && s->str == u"__future__")
            for (const Node *a : s->list)
                lazy = lazy || a->str == u"annotations";
    m_lazyAnnotations.insert(module, lazy);
    return lazy;
}

bool Evaluator::containsYield(const Node *fn)
{
    auto it = m_hasYield.find(fn);
    if (it != m_hasYield.end())
        return it.value();
    bool found = false;
    std::function<void(const Node *)> walk = [&](const Node *n) {
        if (!n || found)
            return;
        if (n->kind == NodeKind::Yield || n->kind == NodeKind::YieldFrom) {
            found = true;
            return;
        }
        if (n != fn && (n->kind == NodeKind::FunctionDef || n->kind == NodeKind::Lambda || n->kind == NodeKind::ClassDef))
            return;
        walk(n->a);
        walk(n->b);
        walk(n->c);
        for (auto *l : {&n->list, &n->list2, &n->list3, &n->list4})
            for (const Node *x : *l)
                walk(x);
    };
    walk(fn);
    m_hasYield.insert(fn, found);
    return found;
}

ValuePtr Evaluator::makeFunction(const Node *n, Frame &f, const QString &name)
{
    auto fn = std::make_shared<Value>();
    fn->kind = Value::Kind::Function;
    fn->s = name;
    fn->node = n;
    fn->module = f.module;
    fn->closure = f.scope->isClass ? (f.scope->parent ? f.scope->parent : f.globals) : f.scope;
    const Node *args = n->a;
    for (const Node *d : args->list2)
        fn->defaults.push_back(eval(d, f));
    for (const Node *d : args->list4)
        fn->kwDefaults.push_back(d ? eval(d, f) : nullptr);
    if (n->kind == NodeKind::FunctionDef && !lazyAnnotations(f.module.get())) {
        // Parameter and return annotations are evaluated when the def runs.
        auto annotate = [&](const Node *arg) {
            if (arg && arg->a)
                eval(arg->a, f);
        };
        for (const Node *a : args->list)
            annotate(a);
        annotate(args->b);
        for (const Node *a : args->list3)
            annotate(a);
        annotate(args->c);
        if (n->b)
            eval(n->b, f);
    }
    fn->dict = std::make_shared<DictData>();
    fn->span = n->span;
    return fn;
}

ValuePtr Evaluator::callFunction(const ValuePtr &fn, CallArgs &args)
{
    const Node *n = fn->node;
    const Node *params = n->a;
    if (m_callDepth >= m_opt.maxCallDepth)
        raise(QStringLiteral("RecursionError"), QStringLiteral("maximum recursion depth exceeded"), args.span);
    DepthCounter depth(m_callDepth);
    if (n->kind == NodeKind::FunctionDef && containsYield(n))
        return Value::unknown(QStringLiteral("generator function %1() is not modelled").arg(fn->s), args.span);
    auto scope = std::make_shared<Scope>();
    scope->parent = fn->closure;
    scope->locals = &localNamesOf(n);
    // Find the module scope at the end of the closure chain.
    std::shared_ptr<Scope> globals = fn->closure;
    while (globals && !globals->isModule)
        globals = globals->parent;
    if (!globals)
        globals = fn->closure;
    auto setLocal = [&](const QString &name, const ValuePtr &v, const SourceSpan &span) {
        scope->vars->set(QStringLiteral("s:") + name, Value::str(name), v, span);
    };
    const size_t npos = params->list.size();
    const size_t ndef = fn->defaults.size();
    std::vector<bool> filled(npos, false);
    size_t i = 0;
    for (; i < args.args.size() && i < npos; ++i) {
        setLocal(params->list[i]->str, args.args[i], args.argSpans.size() > i ? args.argSpans[i] : args.span);
        filled[i] = true;
    }
    if (i < args.args.size()) {
        if (!params->b)
            raise(QStringLiteral("TypeError"),
                  QStringLiteral("%1() takes %2 positional arguments but %3 were given").arg(fn->s).arg(npos).arg(args.args.size()),
                  args.span);
        setLocal(params->b->str, Value::tuple(std::vector<ValuePtr>(args.args.begin() + qint64(i), args.args.end())), args.span);
    } else if (params->b) {
        setLocal(params->b->str, Value::tuple(), args.span);
    }
    ValuePtr extra = params->c ? Value::newDict() : nullptr;
    std::vector<bool> kwFilled(params->list3.size(), false);
    for (size_t k = 0; k < args.kwargs.size(); ++k) {
        const auto &[name, value] = args.kwargs[k];
        const SourceSpan span = args.kwargSpans.size() > k ? args.kwargSpans[k] : args.span;
        bool done = false;
        for (size_t p = size_t(params->num); p < npos; ++p) {
            if (params->list[p]->str == name) {
                if (filled[p])
                    raise(QStringLiteral("TypeError"), QStringLiteral("%1() got multiple values for argument '%2'").arg(fn->s, name), span);
                setLocal(name, value, span);
                filled[p] = true;
                done = true;
                break;
            }
        }
        for (size_t p = 0; !done && p < params->list3.size(); ++p) {
            if (params->list3[p]->str == name) {
                setLocal(name, value, span);
                kwFilled[p] = true;
                done = true;
            }
        }
        if (!done) {
            if (!extra)
                raise(QStringLiteral("TypeError"), QStringLiteral("%1() got an unexpected keyword argument '%2'").arg(fn->s, name), span);
            extra->dict->set(QStringLiteral("s:") + name, Value::str(name), value, span);
        }
    }
    for (size_t p = 0; p < npos; ++p) {
        if (filled[p])
            continue;
        const size_t firstDefault = npos - ndef;
        if (p >= firstDefault)
            setLocal(params->list[p]->str, fn->defaults[p - firstDefault], params->list[p]->span);
        else
            raise(QStringLiteral("TypeError"),
                  QStringLiteral("%1() missing required positional argument: '%2'").arg(fn->s, params->list[p]->str), args.span);
    }
    for (size_t p = 0; p < params->list3.size(); ++p) {
        if (kwFilled[p])
            continue;
        if (p < fn->kwDefaults.size() && fn->kwDefaults[p])
            setLocal(params->list3[p]->str, fn->kwDefaults[p], params->list3[p]->span);
        else
            raise(QStringLiteral("TypeError"),
                  QStringLiteral("%1() missing required keyword-only argument: '%2'").arg(fn->s, params->list3[p]->str), args.span);
    }
    if (extra)
        setLocal(params->c->str, extra, args.span);
    Frame f{scope, globals, nullptr, fn->module};
    if (n->kind == NodeKind::Lambda)
        return eval(n->b, f);
    const Flow flow = execBlock(n->list, f);
    if (flow == Flow::Return && f.ret)
        return f.ret;
    return Value::none();
}

ValuePtr Evaluator::makeClass(const Node *n, Frame &f)
{
    auto cls = std::make_shared<Value>();
    cls->kind = Value::Kind::Class;
    cls->s = n->str;
    cls->span = n->span;
    for (const Node *b : n->list3) {
        ValuePtr base = eval(b, f);
        if (base->kind == Value::Kind::Class) {
            cls->items.push_back(base);
            if (base->isExceptionClass)
                cls->isExceptionClass = true;
        } else if (base->kind == Value::Kind::Native && base->s == u"object") {
            // plain object base
        } else if (base->kind == Value::Kind::Unknown || base->kind == Value::Kind::Imported) {
            diagnose(QStringLiteral("info"), QStringLiteral("unknown-value"),
                     QStringLiteral("base class %1 of %2 is not modelled; only the class body is used")
                         .arg(base->kind == Value::Kind::Imported ? base->s : base->s, n->str),
                     b->span);
        }
    }
    for (const Node *k : n->list4)
        eval(k->a, f);
    auto scope = std::make_shared<Scope>();
    scope->isClass = true;
    scope->parent = f.scope;
    Frame inner{scope, f.globals, nullptr, f.module};
    execBlock(n->list, inner);
    cls->dict = scope->vars;
    return cls;
}

ValuePtr Evaluator::instantiate(const ValuePtr &cls, CallArgs &args)
{
    auto inst = std::make_shared<Value>();
    inst->kind = Value::Kind::Instance;
    inst->self = cls;
    inst->dict = std::make_shared<DictData>();
    inst->span = args.span;
    if (cls->isExceptionClass)
        inst->items = args.args;
    // __init__ from the class or its bases.
    ValuePtr init;
    std::vector<ValuePtr> stack{cls};
    while (!stack.empty() && !init) {
        ValuePtr c = stack.front();
        stack.erase(stack.begin());
        if (c->dict)
            if (ValuePtr v = c->dict->get(QStringLiteral("__init__")); v && v->kind == Value::Kind::Function)
                init = v;
        for (const auto &b : c->items)
            stack.push_back(b);
    }
    if (init) {
        CallArgs bound = args;
        bound.args.insert(bound.args.begin(), inst);
        bound.argSpans.insert(bound.argSpans.begin(), args.span);
        callFunction(init, bound);
    } else if (!cls->isExceptionClass && (!args.args.empty() || !args.kwargs.empty())) {
        raise(QStringLiteral("TypeError"), QStringLiteral("%1() takes no arguments").arg(cls->s), args.span);
    }
    return inst;
}

// ---------------------------------------------------------------- imports

void Evaluator::execImport(const Node *n, Frame &f)
{
    for (const Node *alias : n->list) {
        bool sibling = false;
        ValuePtr mod = importModule(alias->str, alias->span, false, &sibling);
        if (m_result)
            m_result->importedModules << alias->str;
        if (!alias->str2.isEmpty()) {
            bind(alias->str2, mod, f, alias->span);
        } else {
            // "import a.b" binds "a"; attribute access walks to b.
            const QString top = alias->str.section(u'.', 0, 0);
            ValuePtr topMod = top == alias->str ? mod : importModule(top, alias->span, false, &sibling);
            bind(top, topMod, f, alias->span);
        }
    }
}

void Evaluator::execImportFrom(const Node *n, Frame &f)
{
    const QString modName = n->str;
    if (m_result)
        m_result->importedModules << modName;
    if (n->num > 0) {
        diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                 QStringLiteral("relative import 'from %1%2' is not followed").arg(QString(n->num, u'.'), modName), n->span);
        for (const Node *alias : n->list)
            if (alias->str != u"*")
                bind(alias->str2.isEmpty() ? alias->str : alias->str2,
                     Value::unknown(QStringLiteral("relative import is not followed"), alias->span), f, alias->span);
        return;
    }
    const bool star = n->list.size() == 1 && n->list.front()->str == u"*";
    bool sibling = false;
    ValuePtr mod = importModule(modName, n->span, star, &sibling);
    if (star) {
        if (mod->kind == Value::Kind::Unknown || mod->kind == Value::Kind::Imported) {
            diagnose(QStringLiteral("warning"), QStringLiteral("unknown-value"),
                     QStringLiteral("'from %1 import *': the names it defines are unknown").arg(modName), n->span);
            return;
        }
        if (mod->dict == f.scope->vars)
            return; // a module importing * from itself (partly loaded): nothing changes
        QStringList &partial = m_partialStars[f.scope->vars.get()];
        if (mod->b && !partial.contains(modName))
            partial << modName;
        for (const QString &m : m_partialStars.value(mod->dict.get()))
            if (!partial.contains(m))
                partial << m;
        if (partial.isEmpty())
            m_partialStars.remove(f.scope->vars.get());
        ValuePtr all = mod->dict->get(QStringLiteral("__all__"));
        if (all && (all->kind == Value::Kind::List || all->kind == Value::Kind::Tuple)) {
            for (const auto &name : all->items) {
                const QString s = pyStr(name);
                const auto *e = mod->dict->entry(s);
                if (!e)
                    raise(QStringLiteral("AttributeError"), QStringLiteral("module '%1' has no attribute '%2'").arg(modName, s), n->span);
                f.scope->vars->set(QStringLiteral("s:") + s, Value::str(s), e->value, e->span);
            }
            return;
        }
        for (const auto &e : mod->dict->entries) {
            const QString name = e.key->s;
            if (name.startsWith(u'_'))
                continue;
            f.scope->vars->set(QStringLiteral("s:") + name, e.key, e.value, e.span);
        }
        return;
    }
    for (const Node *alias : n->list) {
        ValuePtr v;
        if (mod->kind == Value::Kind::Unknown) {
            v = Value::unknown(QStringLiteral("%1.%2 (module %1 is not modelled)").arg(modName, alias->str), alias->span);
        } else if (mod->kind == Value::Kind::Imported) {
            v = Value::imported(modName + u'.' + alias->str);
        } else if (const auto *e = mod->dict->entry(alias->str)) {
            v = e->value;
        } else if (ValuePtr sub = [&]() -> ValuePtr {
                       bool sib = false;
                       const QString dotted = modName + u'.' + alias->str;
                       if (modelledModule(dotted) || !findSibling(dotted).isEmpty())
                           return importModule(dotted, alias->span, false, &sib);
                       return nullptr;
                   }()) {
            v = sub;
        } else if (mod->b) {
            // A modelled module we only know partially.
            v = Value::unknown(QStringLiteral("%1.%2 is not modelled").arg(modName, alias->str), alias->span);
        } else if (mod == m_mainModule || m_loading.contains(modName)) {
            raise(QStringLiteral("ImportError"),
                  QStringLiteral("cannot import name '%1' from partially initialized module '%2' (most likely due to a circular import)")
                      .arg(alias->str, modName),
                  alias->span);
        } else {
            raise(QStringLiteral("ImportError"), QStringLiteral("cannot import name '%1' from '%2'").arg(alias->str, modName), alias->span);
        }
        bind(alias->str2.isEmpty() ? alias->str : alias->str2, v, f, alias->span);
    }
}

QString Evaluator::findSibling(const QString &dotted) const
{
    const QString rel = QString(dotted).replace(u'.', u'/');
    for (const QString &dir : m_opt.searchPath) {
        const QString file = QDir(dir).filePath(rel + QStringLiteral(".py"));
        if (QFileInfo(file).isFile())
            return file;
        const QString pkg = QDir(dir).filePath(rel + QStringLiteral("/__init__.py"));
        if (QFileInfo(pkg).isFile())
            return pkg;
    }
    return {};
}

ValuePtr Evaluator::importModule(const QString &dotted, const SourceSpan &span, bool star, bool *isSibling)
{
    *isSibling = false;
    if (auto it = m_modules.find(dotted); it != m_modules.end() && it.value())
        return it.value();
    if (ValuePtr m = modelledModule(dotted, span)) {
        m_modules.insert(dotted, m);
        return m;
    }
    const QString file = findSibling(dotted);
    if (dotted == u"superset_config" && m_mainModule && (file.isEmpty() || QFileInfo(file).absoluteFilePath() == m_mainPath)) {
        // The config importing itself: Python hands out the partly loaded module (its names so
        // far), a no-op for "from superset_config import *". A different superset_config.py on
        // the path (a SUPERSET_CONFIG_PATH file extending the base one) is imported as usual.
        diagnose(QStringLiteral("info"), QStringLiteral("self-import"),
                 QStringLiteral("'superset_config' is this file (Superset loads it under that name): the import sees the names defined so far"),
                 span);
        return m_mainModule;
    }
    if (!file.isEmpty()) {
        *isSibling = true;
        return loadSibling(dotted, file, span);
    }
    if (star) {
        raise(QStringLiteral("ModuleNotFoundError"), QStringLiteral("No module named '%1'").arg(dotted), span);
    }
    diagnose(QStringLiteral("info"), QStringLiteral("unknown-value"),
             QStringLiteral("module '%1' is not modelled; names from it are unknown").arg(dotted), span);
    return Value::unknown(QStringLiteral("module %1 is not modelled").arg(dotted), span);
}

ValuePtr Evaluator::loadSibling(const QString &dotted, const QString &path, const SourceSpan &span)
{
    if (m_loading.contains(dotted)) {
        // Circular import: Python hands out the partially initialised module.
        if (ValuePtr m = m_modules.value(dotted))
            return m;
    }
    if (++m_moduleCount > m_opt.maxModules)
        abort(QStringLiteral("import-limit"), QStringLiteral("more than %1 modules imported").arg(m_opt.maxModules), span);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > m_opt.maxFileBytes)
        raise(QStringLiteral("ImportError"), QStringLiteral("cannot read %1").arg(path), span);
    const QString source = QString::fromUtf8(file.readAll());
    auto parsed = PyParser::parse(source, QFileInfo(path).fileName());
    if (!parsed) {
        diagnose(QStringLiteral("error"), QStringLiteral("syntax-error"), parsed.error(), span);
        raise(QStringLiteral("SyntaxError"), parsed.error(), span);
    }
    m_trees.push_back(parsed.value());
    auto globals = std::make_shared<Scope>();
    globals->isModule = true;
    globals->vars->set(QStringLiteral("s:__name__"), Value::str(QStringLiteral("__name__")), Value::str(dotted), {});
    globals->vars->set(QStringLiteral("s:__file__"), Value::str(QStringLiteral("__file__")), Value::str(path), {});
    auto mod = std::make_shared<Value>();
    mod->kind = Value::Kind::Module;
    mod->s = dotted;
    mod->dict = globals->vars;
    m_modules.insert(dotted, mod);
    m_loading.insert(dotted);
    if (m_result)
        m_result->evaluatedFiles << path;
    const QString saved = m_currentFile;
    m_currentFile = path;
    Frame f{globals, globals, nullptr, parsed.value()};
    try {
        execBlock(parsed.value()->root->list, f);
    } catch (...) {
        m_currentFile = saved;
        m_loading.remove(dotted);
        m_modules.remove(dotted);
        throw;
    }
    m_currentFile = saved;
    m_loading.remove(dotted);
    return mod;
}

} // namespace cachescope::py
