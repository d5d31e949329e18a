using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace TypedHttp.Generator.Tests.Infrastructure;

/// <summary>
/// User source plus generated source, emitted to memory and loaded into a collectible load context; TypedHttp
/// itself comes from the test's context, so the test's transport and options cross over.
/// </summary>
internal sealed class GeneratedAssembly : IDisposable
{
    private readonly AssemblyLoadContext _context;
    private readonly Assembly _assembly;

    private GeneratedAssembly(AssemblyLoadContext context, Assembly assembly)
    {
        _context = context;
        _assembly = assembly;
    }

    public static GeneratedAssembly Load(GeneratorRun run, params byte[][] dependencies)
    {
        var context = new AssemblyLoadContext("TypedHttpGeneratedClient", isCollectible: true);
        // Assemblies the user's assembly references (a library it uses), loaded first into the same context.
        foreach (byte[] dependency in dependencies)
        {
            using var dependencyImage = new MemoryStream(dependency);
            context.LoadFromStream(dependencyImage);
        }
        return new GeneratedAssembly(context, context.LoadFromStream(new MemoryStream(Image(run))));
    }

    /// <summary>The output compilation emitted; fails when it has errors.</summary>
    public static byte[] Image(GeneratorRun run)
    {
        using var image = new MemoryStream();
        EmitResult result = run.Output.Emit(image);
        Assert.True(result.Success, "Emit failed:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return image.ToArray();
    }

    /// <summary>Calls a public static method returning <c>Task&lt;T&gt;</c> and returns its result.</summary>
    public async Task<T> CallAsync<T>(string typeName, string methodName, params object?[] arguments)
    {
        Type type = _assembly.GetType(typeName, throwOnError: true)!;
        MethodInfo method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(typeName, methodName);
        object? task;
        try
        {
            task = method.Invoke(null, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
        var typed = (Task<T>)task!;
        return await typed;
    }

    /// <summary>Calls a public static method and returns its result as it is.</summary>
    public T Call<T>(string typeName, string methodName, params object?[] arguments)
    {
        Type type = _assembly.GetType(typeName, throwOnError: true)!;
        MethodInfo method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(typeName, methodName);
        try
        {
            return (T)method.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }
    }

    public void Dispose() => _context.Unload();
}
