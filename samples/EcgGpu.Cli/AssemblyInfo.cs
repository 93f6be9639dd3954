using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("EcgGpu.Tests")]
[assembly: InternalsVisibleTo("EcgGpu.Distributed.Tests")]
