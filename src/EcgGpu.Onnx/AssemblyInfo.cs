using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("EcgGpu.Tests")]
