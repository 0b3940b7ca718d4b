#pragma once

#include "configvalue.h"
#include "pyast.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace cachescope::py {

// A finding about the file: evaluation problems (unknowns, blocked side effects, errors) and,
// later, the doctor's advice. Spans are 1-based; file is empty for the main config file.
struct Diagnostic
{
    QString severity; // "error", "warning", "info"
    SourceSpan span;
    QString code;     // stable identifier, e.g. "unknown-value", "shared-keyspace"
    QString message;
    QString file;
};

// One read of an environment variable (os.getenv, os.environ.get, os.environ[...]).
struct EnvRead
{
    QString name;
    bool present = false;
    bool hasDefault = false;
    QString defaultRepr; // repr() of the default when given
    SourceSpan span;
    QString file;
};

struct Scope
{
    std::shared_ptr<DictData> vars = std::make_shared<DictData>();
    std::shared_ptr<Scope> parent; // enclosing scope (null for a module)
    bool isClass = false;
    bool isModule = false;
    QSet<QString> globals;   // names declared global here
    QSet<QString> nonlocals; // names declared nonlocal here
    const QSet<QString> *locals = nullptr; // names assigned anywhere in this function body
};

// The safe evaluator: runs a parsed module over modelled data only. No file, process, network or
// environment side effect is reachable; limits on steps, call depth and allocation turn hostile
// input into a located error.
//
// Not modelled (each yields an unknown value or a diagnostic, never a crash):
// - `match` statements are parsed but skipped; generators/`yield`, `async`/`await`: unknown results;
// - complex numbers, integers beyond 64 bits (a located "int-too-large" error);
// - `super()`, `globals()`, `locals()`, `vars()`, three-argument `type()`, metaclasses and dunder
//   operator overloads of classes defined in the file (`__add__`, `__getattr__`...);
// - relative imports; modules outside the modelled set (os, os.path, sys, datetime, urllib.parse, re,
//   logging, json.loads, ast.literal_eval, distutils.util.strtobool, typing) and the recorded
//   packages (cachelib, flask_caching, werkzeug, s3cache, superset, celery, kombu, redis, flask,
//   flask_appbuilder, ssl, sqlalchemy, flask_talisman) evaluate to unknowns;
// - the current time, randomness, the file system: unknown (e.g. os.path.exists, datetime.now);
// - `\N{NAME}` escapes are kept as written; str indexing counts UTF-16 units;
// - sets keep insertion order (CPython's order of string sets varies per process);
// - an unknown condition in `if`/`while` is taken as false and reported.
class Evaluator
{
public:
    struct Options
    {
        QHash<QString, QString> environment;
        QStringList searchPath;          // directories for sibling imports (the config's own dir first)
        qint64 maxSteps = 3'000'000;
        qint64 maxBytes = 128LL * 1024 * 1024; // cumulative bytes of strings/containers built
        int maxCallDepth = 120;
        qint64 maxFileBytes = 8LL * 1024 * 1024;
        int maxModules = 32;
    };

    struct Result
    {
        std::shared_ptr<Scope> globals;      // module namespace (insertion ordered)
        bool loaded = false;                 // false: syntax error, uncaught exception, exit() or a limit
        QString error;                       // why not loaded
        SourceSpan errorSpan;
        std::vector<Diagnostic> diagnostics;
        std::vector<EnvRead> envReads;
        QStringList importedModules;         // dotted names imported (for the doctor)
        QStringList evaluatedFiles;          // sibling files evaluated by imports
        std::shared_ptr<Module> tree;        // the main file's syntax tree
        std::shared_ptr<ValueHeap> heap;     // keeps the values' reference cycles collectable
    };

    explicit Evaluator(Options options);
    ~Evaluator();

    Result runFile(const QString &path);
    Result runSource(const QString &source, const QString &fileName);

    // Used by the modelled modules and builtins (configbuiltins.cpp).
    [[noreturn]] void raise(const QString &excClass, const QString &message, const SourceSpan &span);
    [[noreturn]] void abort(const QString &code, const QString &message, const SourceSpan &span);
    ValuePtr call(const ValuePtr &callee, CallArgs &args);
    bool truthy(const ValuePtr &v, const SourceSpan &span);
    std::vector<ValuePtr> iterate(const ValuePtr &v, const SourceSpan &span);
    ValuePtr getAttr(const ValuePtr &obj, const QString &name, const SourceSpan &span);
    ValuePtr getItem(const ValuePtr &obj, const ValuePtr &key, const SourceSpan &span);
    void setItem(const ValuePtr &obj, const ValuePtr &key, const ValuePtr &value, const SourceSpan &span);
    bool equals(const ValuePtr &a, const ValuePtr &b);
    QString requireHashKey(const ValuePtr &v, const SourceSpan &span);
    void charge(qint64 bytes, const SourceSpan &span);
    void step(const SourceSpan &span);
    ValuePtr strOf(const ValuePtr &v, const SourceSpan &span);
    QString format(const ValuePtr &v, const QString &spec, const SourceSpan &span);
    ValuePtr percentFormat(const QString &fmt, const ValuePtr &args, const SourceSpan &span);
    ValuePtr strFormat(const QString &fmt, CallArgs &args);
    ValuePtr exceptionClass(const QString &name) const;
    bool isInstance(const ValuePtr &v, const ValuePtr &cls);
    void diagnose(const QString &severity, const QString &code, const QString &message, const SourceSpan &span);
    ValuePtr envLookup(const QString &name, const ValuePtr &defaultValue, bool hasDefault, const SourceSpan &span);
    ValuePtr environObject() const { return m_environ; }
    // The whole environment is read (iterated, copied, listed): an info finding at `span`.
    void noteEnvironmentListed(const SourceSpan &span);
    // The entries of a mapping (dict or os.environ) for `**`, dict() and update(); null otherwise.
    const DictData *mappingEntries(const ValuePtr &v, const SourceSpan &span);
    // dict(src) / d.update(src): a mapping's entries or an iterable of pairs, into `into`.
    // False (nothing added) when src is unknown.
    bool mergeInto(DictData &into, const ValuePtr &src, const SourceSpan &span);
    ValuePtr literalEval(const QString &text, const SourceSpan &span);
    int compare(const ValuePtr &a, const ValuePtr &b, const SourceSpan &span); // <0, 0, >0

private:
    struct Frame;
    struct NestingGuard;
    enum class Flow { Normal, Break, Continue, Return };

    Flow execBlock(const std::vector<Node *> &body, Frame &f);
    Flow exec(const Node *n, Frame &f);
    ValuePtr eval(const Node *n, Frame &f);
    void assign(const Node *target, const ValuePtr &value, Frame &f, const SourceSpan &valueSpan);
    ValuePtr lookup(const QString &name, Frame &f, const SourceSpan &span);
    void bind(const QString &name, const ValuePtr &value, Frame &f, const SourceSpan &span);
    void unbind(const QString &name, Frame &f, const SourceSpan &span);
    ValuePtr evalCall(const Node *n, Frame &f);
    ValuePtr binaryOp(const QString &op, const ValuePtr &a, const ValuePtr &b, const SourceSpan &span);
    ValuePtr compareOp(const QString &op, const ValuePtr &a, const ValuePtr &b, const SourceSpan &span);
    bool contains(const ValuePtr &container, const ValuePtr &item, const SourceSpan &span);
    ValuePtr callFunction(const ValuePtr &fn, CallArgs &args);
    ValuePtr makeFunction(const Node *n, Frame &f, const QString &name);
    ValuePtr makeClass(const Node *n, Frame &f);
    ValuePtr evalComprehension(const Node *n, Frame &f);
    void execImport(const Node *n, Frame &f);
    void execImportFrom(const Node *n, Frame &f);
    ValuePtr importModule(const QString &dotted, const SourceSpan &span, bool star, bool *isSibling);
    ValuePtr loadSibling(const QString &dotted, const QString &path, const SourceSpan &span);
    QString findSibling(const QString &dotted) const;
    // A modelled module; `span` locates what it reads (superset.config reads SUPERSET_HOME).
    ValuePtr modelledModule(const QString &dotted, const SourceSpan &span = {});
    ValuePtr subscript(const ValuePtr &obj, const Node *index, Frame &f);
    ValuePtr unaryOp(const QString &op, const ValuePtr &v, const SourceSpan &span);
    ValuePtr builtin(const QString &name);
    void installBuiltins();
    ValuePtr methodOf(const ValuePtr &obj, const QString &name, const SourceSpan &span);
    ValuePtr instantiate(const ValuePtr &cls, CallArgs &args);
    const QSet<QString> &localNamesOf(const Node *fn);
    bool containsYield(const Node *fn);
    bool lazyAnnotations(const Module *module);
    Result run(const QString &source, const QString &fileName);

    Options m_opt;
    std::shared_ptr<ValueHeap> m_heap = std::make_shared<ValueHeap>();
    QHash<QString, ValuePtr> m_builtins;
    QHash<QString, ValuePtr> m_modules;      // loaded (modelled or sibling) by dotted name
    QHash<QString, ValuePtr> m_exceptions;
    QHash<const Node *, QSet<QString>> m_localNames;
    QHash<const Node *, bool> m_hasYield;
    QHash<const Module *, bool> m_lazyAnnotations;
    ValuePtr m_environ;
    ValuePtr m_mainModule;                   // the config itself, as Superset names it: superset_config
    QString m_mainPath;
    // Module namespaces that star-imported a partly modelled module (superset.config): names they
    // cannot resolve may come from it, so they are unknowns, not NameErrors.
    QHash<const DictData *, QStringList> m_partialStars;
    QSet<QString> m_loading;
    std::vector<std::shared_ptr<Module>> m_trees;
    Result *m_result = nullptr;
    QString m_currentFile;                   // empty for the main file
    qint64 m_steps = 0;
    qint64 m_bytes = 0;
    int m_callDepth = 0;
    int m_nesting = 0;
    int m_moduleCount = 0;
    QSet<QString> m_reportedUnknowns;

    friend struct EvaluatorAccess;
};

} // namespace cachescope::py
