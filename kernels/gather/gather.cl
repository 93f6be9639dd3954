/* Batch assembly on the device: rows of a resident data set picked by an index buffer. */

/* index_offset: where this batch starts in an epoch's shuffled index, uploaded once per epoch. */
KERNEL gather_rows(int count, int row_length, const GLOBAL float* src, const GLOBAL int* index, int index_offset, GLOBAL float* dst)
{
    int j = GID(0);
    int i = GID(1);
    if (j >= row_length || i >= count) return;
    dst[i * row_length + j] = src[index[index_offset + i] * row_length + j];
}

KERNEL gather_int(int count, const GLOBAL int* src, const GLOBAL int* index, int index_offset, GLOBAL int* dst)
{
    int i = GID(0);
    if (i < count) dst[i] = src[index[index_offset + i]];
}
