#pragma once

// Header-only on purpose: cachescope_testsupport links the backends only, this needs models.
#include "keytreemodel.h"

#include <QList>

namespace cachescope::test {

// Every key loaded under parent, depth first, in display order.
inline void collectKeys(const KeyTreeModel &m, const QModelIndex &parent, QList<QByteArray> &out)
{
    for (int r = 0; r < m.rowCount(parent); ++r) {
        const QModelIndex i = m.index(r, 0, parent);
        if (m.isNamespace(i))
            collectKeys(m, i, out);
        else
            out.append(m.keyAt(i));
    }
}

} // namespace cachescope::test
