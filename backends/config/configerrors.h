#pragma once

#include "configvalue.h"

namespace cachescope::py {

// A Python exception in flight inside the evaluator (caught by try/except in the file).
struct PyError
{
    ValuePtr exc; // Instance of an exception class
};

// Evaluation stopped for good: a limit was hit or the file cannot be modelled. Not catchable by the file.
struct EvalAbort
{
    QString code;
    QString message;
    SourceSpan span;
};

} // namespace cachescope::py
