using System.Runtime.CompilerServices;

// Host-side logic of the native backends (architecture choice, error decoding) is tested without a device.
[assembly: InternalsVisibleTo("EcgGpu.Tests")]
