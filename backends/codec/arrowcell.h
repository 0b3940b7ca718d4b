#pragma once

#include "arrowtable.h"
#include "recognisers.h"

namespace cachescope {

// Converts one Arrow slot to a displayable Cell: dates/times/timestamps as ISO 8601 (timestamps
// with a time zone are shown in that zone with its offset), decimals as exact text, dictionaries
// resolved, lists/structs/maps as nested PyValues.
class ArrowCell
{
public:
    // `field` (may be null) supplies struct member names.
    static Cell at(const ArrowArray &array, qint64 row, const ArrowField *field = nullptr, int depth = 0);
};

} // namespace cachescope
