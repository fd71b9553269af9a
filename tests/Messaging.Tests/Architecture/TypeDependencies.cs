using System.Reflection;

namespace Messaging.Tests.Architecture;

/// <summary>
/// Every type one type depends on: its base type, interfaces, attributes, the signatures of its
/// fields, properties, events and methods, and what its method bodies name (locals, calls,
/// <c>new</c>, <c>typeof</c>). Generic arguments and array elements count too. Compiler-generated
/// types (lambdas, async state machines) are nested types, so they are read with the type that
/// holds them.
/// </summary>
public static class TypeDependencies
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static IReadOnlySet<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        Add(found, type.BaseType);
        foreach (var implemented in type.GetInterfaces())
        {
            Add(found, implemented);
        }

        AddAttributes(found, type.CustomAttributes);
        foreach (var field in type.GetFields(Declared))
        {
            Add(found, field.FieldType);
            AddAttributes(found, field.CustomAttributes);
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Add(found, property.PropertyType);
            AddAttributes(found, property.CustomAttributes);
        }

        foreach (var @event in type.GetEvents(Declared))
        {
            Add(found, @event.EventHandlerType);
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            AddMethod(found, method);
        }

        found.Remove(type);
        return found;
    }

    private static void AddMethod(HashSet<Type> found, MethodBase method)
    {
        AddSignature(found, method);
        AddAttributes(found, method.CustomAttributes);
        foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
        {
            Add(found, local.LocalType);
        }

        foreach (var member in MethodBodyReferences.Of(method))
        {
            switch (member)
            {
                case Type referenced:
                    Add(found, referenced);
                    break;
                case FieldInfo field:
                    Add(found, field.DeclaringType);
                    Add(found, field.FieldType);
                    break;
                case MethodBase called:
                    Add(found, called.DeclaringType);
                    AddSignature(found, called);
                    break;
            }
        }
    }

    private static void AddSignature(HashSet<Type> found, MethodBase method)
    {
        if (method is MethodInfo info)
        {
            Add(found, info.ReturnType);
            if (info.IsGenericMethod)
            {
                foreach (var argument in info.GetGenericArguments())
                {
                    Add(found, argument);
                }
            }
        }

        foreach (var parameter in method.GetParameters())
        {
            Add(found, parameter.ParameterType);
        }
    }

    private static void AddAttributes(HashSet<Type> found, IEnumerable<CustomAttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            Add(found, attribute.AttributeType);
            foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(named => named.TypedValue)))
            {
                Add(found, argument.Value as Type);
            }
        }
    }

    private static void Add(HashSet<Type> found, Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            return;
        }

        if (type.HasElementType)
        {
            Add(found, type.GetElementType());
            return;
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments())
            {
                Add(found, argument);
            }

            type = type.GetGenericTypeDefinition();
        }

        found.Add(type);
    }
}
