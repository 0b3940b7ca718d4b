#pragma once

#include "cache/cachespec.h"

#include <QString>

#include <memory>
#include <vector>

namespace cachescope::py {

// Python syntax tree. One generic node type keeps the parser small; each kind documents which
// slots it uses. Nodes are owned by their Module (an arena), children are plain pointers.
enum class NodeKind {
    // statements
    Module,      // list = body
    ExprStmt,    // a
    Assign,      // list = targets, a = value
    AugAssign,   // a = target, b = value, str = operator ("+")
    AnnAssign,   // a = target, b = annotation, c = value (may be null)
    Pass, Break, Continue,
    Return,      // a (may be null)
    Raise,       // a = exception (may be null), b = cause
    Global, Nonlocal, // names
    Delete,      // list = targets
    Assert,      // a = test, b = message
    Import,      // list = Alias
    ImportFrom,  // str = module, num = level, list = Alias (str "*" for star)
    Alias,       // str = dotted name, str2 = asname
    If,          // a = test, list = body, list2 = orelse
    While,       // a = test, list = body, list2 = orelse
    For,         // a = target, b = iter, list = body, list2 = orelse, flag = async
    With,        // list3 = WithItem, list = body
    WithItem,    // a = context, b = optional vars
    Try,         // list = body, list3 = handlers, list2 = orelse, list4 = finally
    ExceptHandler, // a = type (may be null), str = name, list = body
    FunctionDef, // str = name, a = Arguments, list = body, list2 = decorators, b = returns
    ClassDef,    // str = name, list2 = decorators, list3 = bases, list4 = keywords, list = body
    Match,       // a = subject (cases are parsed but only recorded), list = body of first case (unused)
    // expressions
    Name,        // str
    Constant,    // constKind + str (text of number or decoded string)
    JoinedStr,   // list = parts (Constant str / FormattedValue)
    FormattedValue, // a = value, num = conversion char (0, 's', 'r', 'a'), b = format spec JoinedStr
    BinOp,       // a, b, str = operator
    UnaryOp,     // a, str = operator ("-", "+", "~", "not")
    BoolOp,      // str = "and"/"or", list = values
    Compare,     // a = left, names = operators, list = comparators
    Call,        // a = func, list = args (Starred allowed), list2 = Keyword
    Keyword,     // str = name (empty for **), a = value
    Attribute,   // a = value, str = attribute
    Subscript,   // a = value, b = index
    Slice,       // a, b, c (each may be null)
    Starred,     // a
    ListExpr, TupleExpr, SetExpr, // list = elements
    DictExpr,    // list = keys (null for ** unpacking), list2 = values
    IfExp,       // a = test, b = body, c = orelse
    Lambda,      // a = Arguments, b = body
    ListComp, SetComp, GeneratorExp, // a = element, list = Comprehension
    DictComp,    // a = key, b = value, list = Comprehension
    Comprehension, // a = target, b = iter, list = ifs, flag = async
    Await, Yield, YieldFrom, // a
    NamedExpr,   // a = target, b = value
    Arguments,   // list = Arg (positional incl. pos-only), list2 = defaults (aligned to the end), num = pos-only count,
                 // b = vararg Arg, list3 = kw-only Arg, list4 = kw defaults (null = required), c = kwarg Arg
    Arg,         // str = name, a = annotation
};

enum class ConstKind { None, True, False, Ellipsis, Int, Float, Imaginary, Str, Bytes };

struct Node
{
    NodeKind kind = NodeKind::Pass;
    SourceSpan span;
    ConstKind constKind = ConstKind::None;
    QString str;
    QString str2;
    int num = 0;
    bool flag = false;
    Node *a = nullptr;
    Node *b = nullptr;
    Node *c = nullptr;
    std::vector<Node *> list, list2, list3, list4;
    std::vector<QString> names;
};

// A parsed file: the node arena plus the root.
struct Module
{
    QString fileName;
    QString source;
    std::vector<std::unique_ptr<Node>> arena;
    Node *root = nullptr;

    Node *make(NodeKind kind, const SourceSpan &span)
    {
        arena.push_back(std::make_unique<Node>());
        Node *n = arena.back().get();
        n->kind = kind;
        n->span = span;
        return n;
    }
};

} // namespace cachescope::py
