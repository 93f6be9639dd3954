using System.Reflection;
using EcgGpu.Nn;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>A model author needs only <c>using EcgGpu.Nn;</c>: no kernel type appears in Nn's public or protected API.</summary>
public class NnApiTests
{
    [Test]
    public void Public_api_of_nn_exposes_no_kernel_types()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var leaks = new List<string>();
        void Check(Type t, string where)
        {
            if (t.HasElementType) { Check(t.GetElementType()!, where); return; }
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Check(a, where);
            if (t.Namespace == "EcgGpu.Kernels") leaks.Add($"{where}: {t.Name}");
        }
        static bool Visible(MethodBase? m) => m is not null && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly);
        foreach (var type in typeof(Sequential).Assembly.GetExportedTypes())
        {
            if (type.BaseType is { } b) Check(b, type.Name);
            foreach (var m in type.GetMethods(all).Where(m => Visible(m) && !m.IsSpecialName))
            {
                Check(m.ReturnType, $"{type.Name}.{m.Name}");
                foreach (var p in m.GetParameters()) Check(p.ParameterType, $"{type.Name}.{m.Name}({p.Name})");
            }
            foreach (var c in type.GetConstructors(all).Where(c => Visible(c)))
                foreach (var p in c.GetParameters()) Check(p.ParameterType, $"{type.Name}({p.Name})");
            foreach (var p in type.GetProperties(all).Where(p => Visible(p.GetMethod) || Visible(p.SetMethod)))
                Check(p.PropertyType, $"{type.Name}.{p.Name}");
            foreach (var f in type.GetFields(all).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly))
                Check(f.FieldType, $"{type.Name}.{f.Name}");
        }
        Assert.That(leaks, Is.Empty);
    }
}
