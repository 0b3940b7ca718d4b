#pragma once

// Argument access for the natives (built-ins and modelled modules) the evaluator calls: shared by
// configbuiltins.cpp and configmodules.cpp.

#include "configevaluator.h"

namespace cachescope::py {

#define NATIVE []([[maybe_unused]] Evaluator & ev, [[maybe_unused]] const ValuePtr &self, [[maybe_unused]] CallArgs &a) -> ValuePtr
#define NATIVE_CAPTURE(...) [__VA_ARGS__]([[maybe_unused]] Evaluator & ev, [[maybe_unused]] const ValuePtr &self, [[maybe_unused]] CallArgs &a) -> ValuePtr

namespace nativeargs {

// Positional-or-keyword argument, or null when absent.
inline ValuePtr argAt(CallArgs &a, size_t i, const char *kw = nullptr)
{
    if (i < a.args.size())
        return a.args[i];
    if (kw)
        for (const auto &[k, v] : a.kwargs)
            if (k == QLatin1String(kw))
                return v;
    return nullptr;
}

// A required argument: raises TypeError as Python would when it is missing.
inline ValuePtr need(Evaluator &ev, CallArgs &a, size_t i, const char *kw, const QString &fn)
{
    ValuePtr v = argAt(a, i, kw);
    if (!v)
        ev.raise(QStringLiteral("TypeError"),
                 QStringLiteral("%1() missing required argument '%2'").arg(fn, kw ? QLatin1String(kw) : QLatin1String("x")), a.span);
    return v;
}

// The first unknown argument, turned into the call's unknown result (unknowns propagate).
inline ValuePtr anyUnknown(const CallArgs &a)
{
    for (const auto &v : a.args)
        if (v->kind == Value::Kind::Unknown)
            return Value::unknown(v->s, a.span);
    for (const auto &kv : a.kwargs)
        if (kv.second->kind == Value::Kind::Unknown)
            return Value::unknown(kv.second->s, a.span);
    return nullptr;
}

} // namespace nativeargs

} // namespace cachescope::py
