#pragma once

#include "cache/cachespec.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

namespace cachescope::py {

struct Node;
struct Module;
struct Value;
using ValuePtr = std::shared_ptr<Value>;
class Evaluator;
struct Scope;

// An insertion-ordered dict with Python key semantics; each entry remembers where it was set.
struct DictData
{
    struct Entry
    {
        ValuePtr key;
        ValuePtr value;
        SourceSpan span;
    };
    std::vector<Entry> entries;
    QHash<QString, int> index; // hash key -> position in entries

    int find(const QString &hashKey) const { return index.value(hashKey, -1); }
    void set(const QString &hashKey, ValuePtr key, ValuePtr value, const SourceSpan &span);
    bool remove(const QString &hashKey);
    ValuePtr get(const QString &strKey) const; // convenience for str keys
    const Entry *entry(const QString &strKey) const;
};

struct CallArgs
{
    std::vector<ValuePtr> args;
    std::vector<std::pair<QString, ValuePtr>> kwargs;
    std::vector<SourceSpan> argSpans;
    std::vector<SourceSpan> kwargSpans;
    SourceSpan span;
};

using NativeFn = std::function<ValuePtr(Evaluator &, const ValuePtr &self, CallArgs &)>;

// Every value made during one evaluation. Values can form reference cycles (a function's closure
// holds the scope that holds the function, a list can contain itself); when the last report using
// them goes away the heap cuts every value's outgoing references so nothing leaks.
class ValueHeap
{
public:
    ValueHeap() = default;
    ValueHeap(const ValueHeap &) = delete;
    ValueHeap &operator=(const ValueHeap &) = delete;
    ~ValueHeap();

    // Values constructed while a heap is current on this thread belong to it.
    static ValueHeap *current();
    class Current
    {
    public:
        explicit Current(ValueHeap *heap);
        ~Current();
    private:
        ValueHeap *m_previous;
    };

private:
    friend struct Value;
    std::unordered_set<Value *> m_live;
};

struct Value
{
    Value();
    ~Value();
    Value(const Value &) = delete;
    Value &operator=(const Value &) = delete;

    enum class Kind {
        None, Bool, Int, Float, Str, Bytes, List, Tuple, Dict, Set, Ellipsis,
        Function,  // def or lambda from the file
        Native,    // a modelled built-in function or bound method (self kept in `self`)
        Module,    // modelled or evaluated module
        Class,     // class from the file or a built-in exception class
        Instance,  // instance of a file class or an exception
        Imported,  // a name imported from a recorded module (cache classes...): path
        Call,      // a call of an Imported: path + args + kwargs, never executed
        Timedelta, // micro-seconds
        Unknown,   // reason + span
        Range,
        Object,    // modelled objects: ParseResult, re.Match, Logger, os.environ
    };
    Kind kind = Kind::None;
    bool b = false;
    qint64 i = 0;
    double f = 0;
    QString s;                          // Str, Bytes (latin-1), Native name, Imported/Call path, Unknown reason,
                                        // Class/Function name, Object type
    std::vector<ValuePtr> items;        // List, Tuple, Set, Call args, Class bases, Range (start, stop, step)
    std::shared_ptr<DictData> dict;     // Dict; Call kwargs; Class/Instance/Module/Object attributes
    ValuePtr self;                      // Native bound self; Instance class
    NativeFn fn;                        // Native
    const Node *node = nullptr;         // Function def / lambda
    std::shared_ptr<Module> module;     // keeps the tree alive for Function
    std::shared_ptr<Scope> closure;     // Function's defining scope
    std::vector<ValuePtr> defaults;     // Function positional defaults
    std::vector<ValuePtr> kwDefaults;   // Function kw-only defaults (null = required)
    SourceSpan span;                    // Unknown: where it arose; Call: the call
    bool builtinClass = false;          // built-in exception class
    bool isExceptionClass = false;
    ValueHeap *heap = nullptr;          // owning evaluation (null for shared singletons)

    static ValuePtr none();
    static ValuePtr boolean(bool v);
    static ValuePtr integer(qint64 v);
    static ValuePtr floating(double v);
    static ValuePtr str(QString v);
    static ValuePtr bytes(QString latin1);
    static ValuePtr list(std::vector<ValuePtr> v = {});
    static ValuePtr tuple(std::vector<ValuePtr> v = {});
    static ValuePtr set(std::vector<ValuePtr> v = {});
    static ValuePtr newDict();
    static ValuePtr unknown(QString reason, const SourceSpan &span);
    static ValuePtr native(QString name, NativeFn fn, ValuePtr self = {});
    static ValuePtr imported(QString path);
    static ValuePtr timedelta(qint64 micros);
    static ValuePtr object(QString type);

    bool isNumber() const { return kind == Kind::Bool || kind == Kind::Int || kind == Kind::Float; }
    bool isIntLike() const { return kind == Kind::Bool || kind == Kind::Int; }
    qint64 asInt() const { return kind == Kind::Bool ? qint64(b) : i; }
    double asFloat() const { return kind == Kind::Float ? f : double(asInt()); }
};

// Python's type name for messages ("str", "dict", "NoneType").
QString typeName(const Value &v);
// repr()/str() as Python prints them.
QString pyRepr(const ValuePtr &v, int depth = 0);
QString pyStr(const ValuePtr &v);
QString floatRepr(double d);
// A setting read as a number of seconds/items the way the loader does: ints and bools, finite
// floats (truncated), timedeltas (whole seconds) and decimal strings; nullopt otherwise.
std::optional<qint64> integerValue(const ValuePtr &v);
// The key used to index a dict/set (nullopt: unhashable).
std::optional<QString> hashKey(const ValuePtr &v);

} // namespace cachescope::py
