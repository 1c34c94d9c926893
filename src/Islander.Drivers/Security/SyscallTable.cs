using System.Globalization;

namespace Islander.Drivers.Security;

/// <summary>
/// System call names and numbers of one architecture, read from the kernel-derived tables embedded
/// from Security/Data (<c>syscalls-x86_64.tbl</c>, <c>syscalls-aarch64.tbl</c>: "number TAB name" lines).
/// </summary>
public sealed class SyscallTable
{
    static readonly Lazy<SyscallTable> X86_64 = new(() => Parse(SeccompArch.X86_64, SeccompProfile.ReadResource("syscalls-x86_64.tbl")));
    static readonly Lazy<SyscallTable> Aarch64 = new(() => Parse(SeccompArch.Aarch64, SeccompProfile.ReadResource("syscalls-aarch64.tbl")));

    readonly Dictionary<string, uint> _numbers;
    readonly Dictionary<uint, string> _names;

    SyscallTable(SeccompArch arch, Dictionary<string, uint> numbers)
    {
        Arch = arch;
        _numbers = numbers;
        _names = numbers.ToDictionary(p => p.Value, p => p.Key);
    }

    public SeccompArch Arch { get; }

    /// <summary>Every (name, number) of the architecture.</summary>
    public IReadOnlyDictionary<string, uint> Numbers => _numbers;

    /// <summary>The highest syscall number in the table.</summary>
    public uint MaxNumber => _numbers.Values.Max();

    public static SyscallTable For(SeccompArch arch) => arch switch
    {
        SeccompArch.X86_64 => X86_64.Value,
        SeccompArch.Aarch64 => Aarch64.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(arch), arch, "no syscall table for this architecture"),
    };

    /// <summary>The number of a call on this architecture; false for names it does not have (e.g. "chown32" on x86_64).</summary>
    public bool TryGetNumber(string name, out uint number) => _numbers.TryGetValue(name, out number);

    public string? NameOf(uint number) => _names.GetValueOrDefault(number);

    /// <summary>Reads "number name" lines; '#' starts a comment.</summary>
    public static SyscallTable Parse(SeccompArch arch, string text)
    {
        var numbers = new Dictionary<string, uint>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0)
                continue;
            var fields = line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2 || !uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var nr))
                throw new FormatException($"syscall table {arch} line {lineNumber}: expected \"number name\", got \"{line}\"");
            if (!numbers.TryAdd(fields[1], nr))
                throw new FormatException($"syscall table {arch} line {lineNumber}: {fields[1]} appears twice");
        }
        return new SyscallTable(arch, numbers);
    }
}
