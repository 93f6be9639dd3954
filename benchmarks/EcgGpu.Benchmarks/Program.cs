using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project benchmarks/EcgGpu.Benchmarks -- --filter '*Gemm*' [--job short] [--inProcess]
BenchmarkSwitcher.FromAssembly(typeof(EcgGpu.Benchmarks.GemmBenchmarks).Assembly).Run(args);
