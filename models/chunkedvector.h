#pragma once

#include <QtGlobal>

#include <memory>
#include <vector>

namespace cachescope {

// An append-mostly array in fixed blocks: growing never copies what is stored, so a vector of
// ten million key ids never stalls the GUI thread with one huge reallocation (and never holds
// twice its size while doing so). Index access is one shift and one mask.
template<typename T, int BlockBits = 14>
class ChunkedVector
{
public:
    static constexpr size_t kBlock = size_t(1) << BlockBits;

    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    T &operator[](size_t i) { return m_blocks[i >> BlockBits][i & (kBlock - 1)]; }
    const T &operator[](size_t i) const { return m_blocks[i >> BlockBits][i & (kBlock - 1)]; }

    void push_back(const T &value)
    {
        if ((m_size >> BlockBits) >= m_blocks.size())
            m_blocks.push_back(std::make_unique_for_overwrite<T[]>(kBlock));
        (*this)[m_size++] = value;
    }
    template<typename It>
    void append(It first, It last)
    {
        for (; first != last; ++first)
            push_back(*first);
    }
    // O(size - i): rows are removed rarely (after a delete action).
    void removeAt(size_t i)
    {
        for (size_t j = i; j + 1 < m_size; ++j)
            (*this)[j] = (*this)[j + 1];
        --m_size;
        if (m_blocks.size() > (m_size >> BlockBits) + 1)
            m_blocks.pop_back();
    }
    qsizetype indexOf(const T &value) const
    {
        for (size_t i = 0; i < m_size; ++i) {
            if ((*this)[i] == value)
                return qsizetype(i);
        }
        return -1;
    }
    std::vector<T> toStdVector() const
    {
        std::vector<T> out;
        out.reserve(m_size);
        for (size_t i = 0; i < m_size; ++i)
            out.push_back((*this)[i]);
        return out;
    }
    void assign(const std::vector<T> &values)
    {
        clear();
        append(values.begin(), values.end());
    }
    void clear()
    {
        m_blocks.clear();
        m_blocks.shrink_to_fit();
        m_size = 0;
    }

private:
    std::vector<std::unique_ptr<T[]>> m_blocks;
    size_t m_size = 0;
};

} // namespace cachescope
