using System.Reflection;
using ILGPU;

namespace EcgGpu.Kernels;

/// <summary>
/// Every ILGPU entry point of the library: the public static void methods of the public static
/// <c>*Kernels</c> classes in the family folders (helpers in those classes are private). Tools that compile
/// every kernel for a target (the PTX and OpenCL C checks, <c>ecg verify</c>) enumerate this list.
/// </summary>
public static class KernelCatalog
{
    private static readonly Type[] IndexTypes = [typeof(Index1D), typeof(Index2D), typeof(Index3D), typeof(LongIndex1D), typeof(LongIndex2D), typeof(LongIndex3D)];

    /// <summary>One entry point: its family class, method and whether the host picks the group size.</summary>
    public sealed record Entry(string Family, MethodInfo Method)
    {
        /// <summary>True for kernels launched with an explicit grid and group (no index parameter).</summary>
        public bool ExplicitlyGrouped => Method.GetParameters() is var p && (p.Length == 0 || !IndexTypes.Contains(p[0].ParameterType));

        public string Name => $"{Method.DeclaringType!.Name}.{Method.Name}";

        public override string ToString() => Name;
    }

    public static IReadOnlyList<Entry> All { get; } = typeof(KernelCatalog).Assembly.GetTypes()
        .Where(t => t.IsPublic && t.IsAbstract && t.IsSealed && !t.IsGenericType && t.Name.EndsWith("Kernels", StringComparison.Ordinal))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.ReturnType == typeof(void) && !m.IsGenericMethodDefinition)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => new Entry(t.Name[..^"Kernels".Length], m)))
        .ToList();
}
