using System.Reflection;
using System.Reflection.Emit;

namespace Messaging.Tests.Architecture;

/// <summary>
/// The members and types a method body names: the operands of its IL instructions that are
/// metadata tokens (calls, object creation, field access, casts, <c>typeof</c>). A type used only in
/// code, never in a signature, shows up here.
/// </summary>
public static class MethodBodyReferences
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    public static IEnumerable<MemberInfo> Of(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            var code = ReadOpCode(il, ref position);
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, position);
                yield return method.Module.ResolveMember(token, typeArguments, methodArguments)!;
            }

            position += OperandSize(code.OperandType, il, position);
        }
    }

    private static OpCode ReadOpCode(byte[] il, ref int position)
    {
        // Two-byte opcodes start with 0xFE; their OpCode.Value is the two bytes read big-endian.
        var first = il[position++];
        var value = first == 0xFE ? (short)((first << 8) | il[position++]) : first;
        return OpCodesByValue[value];
    }

    private static int OperandSize(OperandType operand, byte[] il, int position) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
        _ => 4,
    };
}
