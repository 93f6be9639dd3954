using EcgGpu.Runtime.Ilgpu;
using ILGPU;
using ILGPU.Runtime;

namespace EcgGpu.Kernels;

/// <summary>
/// ILGPU device code for C = α·op(A)·op(B) + β·C (row-major, op = identity or transpose, optionally batched).
/// </summary>
/// <remarks>
/// A group of 256 threads computes a 64 × 64 tile of C; each thread holds a 4 × 4 block of it in registers
/// (rows ty + 16·i, columns tx + 16·j). Per step of 16 along K the group stages op(A) (16 × 64) and op(B)
/// (16 × 64) in shared memory, each loaded so that neighbouring threads read neighbouring addresses of the
/// stored matrix (which index runs fastest depends on the transpose flag). Tiles of M run along grid X (the
/// dimension without the 65,535 limit), tiles of N along Y, the batch along Z; each loops when the grid is
/// capped, so any shape launches. Few tiles with a long K (a Dense layer's forward over a flattened
/// feature map) go split-K instead: ranges of K along Z, then a sum in a fixed order.
/// </remarks>
public static class GemmKernels
{
    public const int TileM = 64, TileN = 64, TileK = 16, Threads = 256;
    private const int Pad = 4, RowA = TileM + Pad, RowB = TileN + Pad;

    /// <summary>Everything but the buffers: shape, leading dimensions, batch strides, scalars.</summary>
    public struct Shape
    {
        public int M, N, K, Lda, Ldb, Ldc, TransA, TransB, Batch;
        public long StrideA, StrideB, StrideC;
        public float Alpha, Beta;
    }

    private struct Row4
    {
        public float X, Y, Z, W;
    }

    public static void Tiled(Shape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        var tileA = SharedMemory.Allocate<float>(TileK * RowA); // tileA[k * RowA + m]
        var tileB = SharedMemory.Allocate<float>(TileK * RowB); // tileB[k * RowB + n]
        int tid = Group.IdxX, tx = tid % 16, ty = tid / 16;
        int tilesM = (s.M + TileM - 1) / TileM, tilesN = (s.N + TileN - 1) / TileN;
        for (int batch = Grid.IdxZ; batch < s.Batch; batch += Grid.DimZ)
        {
            long offA = batch * s.StrideA, offB = batch * s.StrideB, offC = batch * s.StrideC;
            for (int tm = Grid.IdxX; tm < tilesM; tm += Grid.DimX)
                for (int tn = Grid.IdxY; tn < tilesN; tn += Grid.DimY)
                {
                    int row0 = tm * TileM, col0 = tn * TileN;
                    Row4 c0 = default, c1 = default, c2 = default, c3 = default;
                    AccumulateTile(s, a, b, offA, offB, row0, col0, 0, s.K, tileA, tileB, ref c0, ref c1, ref c2, ref c3);
                    Store(s, c, offC, row0 + ty, col0 + tx, c0);
                    Store(s, c, offC, row0 + ty + 16, col0 + tx, c1);
                    Store(s, c, offC, row0 + ty + 32, col0 + tx, c2);
                    Store(s, c, offC, row0 + ty + 48, col0 + tx, c3);
                }
        }
    }

    /// <summary>
    /// Adds op(A)[row0.., kBegin..kEnd) · op(B)[kBegin..kEnd), col0..] into this thread's 4 × 4 block of the tile
    /// (the staging described above); kBegin is a multiple of <see cref="TileK"/>.
    /// </summary>
    private static void AccumulateTile(in Shape s, ArrayView<float> a, ArrayView<float> b, long offA, long offB, int row0, int col0,
        int kBegin, int kEnd, ArrayView<float> tileA, ArrayView<float> tileB, ref Row4 c0, ref Row4 c1, ref Row4 c2, ref Row4 c3)
    {
        int tid = Group.IdxX, tx = tid % 16, ty = tid / 16;
        for (int k0 = kBegin; k0 < kEnd; k0 += TileK)
        {
            for (int e = tid; e < TileK * TileM; e += Threads)
            {
                // Not transposed, A is M × K: K runs fastest in memory, so in the thread index too.
                int k = s.TransA == 0 ? e % TileK : e / TileM;
                int m = s.TransA == 0 ? e / TileK : e % TileM;
                int row = row0 + m, kk = k0 + k;
                float v = 0f;
                if (row < s.M && kk < kEnd) v = s.TransA == 0 ? a[offA + (long)row * s.Lda + kk] : a[offA + (long)kk * s.Lda + row];
                tileA[k * RowA + m] = v;
            }
            for (int e = tid; e < TileK * TileN; e += Threads)
            {
                int k = s.TransB == 0 ? e / TileN : e % TileK;
                int n = s.TransB == 0 ? e % TileN : e / TileK;
                int col = col0 + n, kk = k0 + k;
                float v = 0f;
                if (col < s.N && kk < kEnd) v = s.TransB == 0 ? b[offB + (long)kk * s.Ldb + col] : b[offB + (long)col * s.Ldb + kk];
                tileB[k * RowB + n] = v;
            }
            Group.Barrier();
            for (int k = 0; k < TileK; k++)
            {
                float a0 = tileA[k * RowA + ty], a1 = tileA[k * RowA + ty + 16], a2 = tileA[k * RowA + ty + 32], a3 = tileA[k * RowA + ty + 48];
                float b0 = tileB[k * RowB + tx], b1 = tileB[k * RowB + tx + 16], b2 = tileB[k * RowB + tx + 32], b3 = tileB[k * RowB + tx + 48];
                Fma(ref c0, a0, b0, b1, b2, b3);
                Fma(ref c1, a1, b0, b1, b2, b3);
                Fma(ref c2, a2, b0, b1, b2, b3);
                Fma(ref c3, a3, b0, b1, b2, b3);
            }
            Group.Barrier();
        }
    }

    /// <summary>
    /// Split-K, first pass: for products with few tiles of C and a long K (a Dense layer of 11,904 inputs and 64
    /// units is one tile: one group on one SM would walk all of K), group z of grid Z takes the K range
    /// [z·chunk, (z + 1)·chunk) of every tile and writes its unscaled partial tile to partial[z·M·N ..].
    /// </summary>
    public static void SplitKPartial(Shape s, int chunk, ArrayView<float> a, ArrayView<float> b, ArrayView<float> partial)
    {
        var tileA = SharedMemory.Allocate<float>(TileK * RowA);
        var tileB = SharedMemory.Allocate<float>(TileK * RowB);
        int tid = Group.IdxX, tx = tid % 16, ty = tid / 16;
        int tilesM = (s.M + TileM - 1) / TileM, tilesN = (s.N + TileN - 1) / TileN;
        int kBegin = Grid.IdxZ * chunk, kEnd = Math.Min(s.K, kBegin + chunk);
        long offP = (long)Grid.IdxZ * s.M * s.N;
        for (int tm = Grid.IdxX; tm < tilesM; tm += Grid.DimX)
            for (int tn = Grid.IdxY; tn < tilesN; tn += Grid.DimY)
            {
                int row0 = tm * TileM, col0 = tn * TileN;
                Row4 c0 = default, c1 = default, c2 = default, c3 = default;
                AccumulateTile(s, a, b, 0, 0, row0, col0, kBegin, kEnd, tileA, tileB, ref c0, ref c1, ref c2, ref c3);
                StorePartial(s, partial, offP, row0 + ty, col0 + tx, c0);
                StorePartial(s, partial, offP, row0 + ty + 16, col0 + tx, c1);
                StorePartial(s, partial, offP, row0 + ty + 32, col0 + tx, c2);
                StorePartial(s, partial, offP, row0 + ty + 48, col0 + tx, c3);
            }
    }

    /// <summary>Split-K, second pass: C[i] = α·Σ_z partial[z][i] + β·C[i], summed in z order (the same result every run, unlike atomics).</summary>
    public static void SplitKSum(Index1D i, Shape s, int splits, ArrayView<float> partial, ArrayView<float> c)
    {
        long mn = (long)s.M * s.N;
        float sum = 0f;
        for (int z = 0; z < splits; z++) sum += partial[z * mn + i];
        int row = i / s.N, col = i % s.N;
        long at = (long)row * s.Ldc + col;
        c[at] = s.Beta == 0f ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[at];
    }

    private static void StorePartial(in Shape s, ArrayView<float> partial, long offP, int row, int col, Row4 r)
    {
        if (row >= s.M) return;
        long at = offP + (long)row * s.N;
        if (col < s.N) partial[at + col] = r.X;
        if (col + 16 < s.N) partial[at + col + 16] = r.Y;
        if (col + 32 < s.N) partial[at + col + 32] = r.Z;
        if (col + 48 < s.N) partial[at + col + 48] = r.W;
    }

    private static void Fma(ref Row4 r, float a, float b0, float b1, float b2, float b3)
    {
        r.X += a * b0;
        r.Y += a * b1;
        r.Z += a * b2;
        r.W += a * b3;
    }

    private static void Store(in Shape s, ArrayView<float> c, long offC, int row, int col, Row4 r)
    {
        if (row >= s.M) return;
        long at = offC + (long)row * s.Ldc;
        Store1(s, c, at, col, r.X);
        Store1(s, c, at, col + 16, r.Y);
        Store1(s, c, at, col + 32, r.Z);
        Store1(s, c, at, col + 48, r.W);
    }

    private static void Store1(in Shape s, ArrayView<float> c, long rowStart, int col, float v)
    {
        if (col >= s.N) return;
        long i = rowStart + col;
        c[i] = s.Beta == 0f ? s.Alpha * v : s.Alpha * v + s.Beta * c[i]; // β = 0 never reads C
    }

    /// <summary>Tiles of C under which a product with a long K is split along K: fewer than a third of an H100's 132 SMs would be busy.</summary>
    public const int SplitKMaxTiles = 40;

    /// <summary>Shortest K that is split, and the least K a split takes: below these the second pass costs more than it saves.</summary>
    public const int SplitKMinK = 1024, SplitKMinChunk = 256;

    /// <summary>How many K ranges a product is split into (1: not split): enough groups for ~2 per SM of an H100, each ≥ 256 of K.</summary>
    public static int SplitKCount(in Shape s)
    {
        int tiles = (s.M + TileM - 1) / TileM * ((s.N + TileN - 1) / TileN);
        if (s.Batch != 1 || s.K < SplitKMinK || tiles >= SplitKMaxTiles) return 1;
        return Math.Clamp(264 / tiles, 2, s.K / SplitKMinChunk);
    }

    /// <summary>The family's kernels loaded on one accelerator, with the split-K partials buffer (grown on demand, freed with the accelerator).</summary>
    public sealed class Loaded : IKernelFamily<Loaded>
    {
        private Action<AcceleratorStream, KernelConfig, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> _tiled = null!;
        private Action<AcceleratorStream, KernelConfig, Shape, int, ArrayView<float>, ArrayView<float>, ArrayView<float>> _splitKPartial = null!;
        private Action<AcceleratorStream, Index1D, Shape, int, ArrayView<float>, ArrayView<float>> _splitKSum = null!;
        private MemoryBuffer1D<float, Stride1D.Dense>? _partials;
        private readonly Lock _partialsLock = new();

        public static Loaded Load(IlgpuAccelerator accelerator) => new()
        {
            _tiled = accelerator.Native.LoadKernel<Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Tiled),
            _splitKPartial = accelerator.Native.LoadKernel<Shape, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(SplitKPartial),
            _splitKSum = accelerator.Native.LoadAutoGroupedKernel<Index1D, Shape, int, ArrayView<float>, ArrayView<float>>(SplitKSum),
        };

        public void Run(IlgpuAccelerator device, in Shape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
        {
            int splits = SplitKCount(s);
            if (splits > 1)
            {
                int chunk = (s.K + splits - 1) / splits;
                chunk = (chunk + TileK - 1) / TileK * TileK;   // each range starts on a K tile
                splits = (s.K + chunk - 1) / chunk;
                long need = (long)splits * s.M * s.N;
                ArrayView<float> partials;
                lock (_partialsLock)
                {
                    // Launches on the one stream run in order, so one buffer serves every split-K product in turn.
                    if (_partials is null || _partials.Length < need)
                    {
                        _partials?.Dispose();
                        _partials = device.Native.Allocate1D<float>(need);
                    }
                    partials = _partials.View;
                }
                var tiles = new Index3D((s.M + TileM - 1) / TileM, (s.N + TileN - 1) / TileN, splits);
                _splitKPartial(device.Stream, device.Config("gemm.splitk", tiles, new Index3D(Threads, 1, 1)), s, chunk, a, b, partials);
                _splitKSum(device.Stream, (int)((long)s.M * s.N), s, splits, partials, c);
                return;
            }
            var grid = new Index3D(
                Math.Min((s.M + TileM - 1) / TileM, 1 << 20),
                Math.Min((s.N + TileN - 1) / TileN, 65_535),
                Math.Min(s.Batch, 65_535));
            _tiled(device.Stream, device.Config("gemm.tiled", grid, new Index3D(Threads, 1, 1)), s, a, b, c);
        }
    }
}
