namespace Islander.Cli.Terminal;

/// <summary>
/// Docker's detach keys (<c>--detach-keys</c>, default <c>ctrl-p,ctrl-q</c>): a sequence of keys typed in a row that
/// ends the session instead of reaching the process. Keys of the sequence are held back while it may still match;
/// when it breaks, they go to the process after all, as Docker does, so a lone Ctrl-P still reaches it.
/// </summary>
public sealed class DetachKeys
{
    public const string Default = "ctrl-p,ctrl-q";

    readonly byte[] _keys;
    int _matched;

    DetachKeys(byte[] keys) => _keys = keys;

    /// <summary>
    /// Docker's format: comma-separated keys, each a single character or <c>ctrl-X</c> with X a letter or one of
    /// <c>@ [ \ ] ^ _</c>. An empty text: no detach keys.
    /// </summary>
    /// <exception cref="FormatException">A key that is neither, with what is allowed.</exception>
    public static DetachKeys Parse(string text)
    {
        var keys = new List<byte>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length == 1 && part[0] is > ' ' and < (char)127)
                keys.Add((byte)part[0]);
            else if (part.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase) && part.Length == 6)
            {
                char c = char.ToLowerInvariant(part[5]);
                if (c is >= 'a' and <= 'z')
                    keys.Add((byte)(c - 'a' + 1));
                else if (c is '@' or '[' or '\\' or ']' or '^' or '_')
                    keys.Add((byte)(c == '@' ? 0 : c - '[' + 27));
                else
                    throw new FormatException($"detach keys: \"{part}\" is not ctrl-a..ctrl-z, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^ or ctrl-_");
            }
            else
                throw new FormatException($"detach keys: \"{part}\" is neither one character nor ctrl-X; e.g. --detach-keys=ctrl-p,ctrl-q");
        }
        return new DetachKeys([.. keys]);
    }

    /// <summary>
    /// Filters typed bytes: returns what goes to the process (bytes held from a broken match first), and whether the
    /// whole sequence was typed (then nothing after it goes anywhere).
    /// </summary>
    public (byte[] Forward, bool Detach) Scan(ReadOnlySpan<byte> typed)
    {
        if (_keys.Length == 0)
            return (typed.ToArray(), false);
        var forward = new List<byte>(typed.Length);
        foreach (var b in typed)
        {
            if (b == _keys[_matched])
            {
                if (++_matched == _keys.Length)
                    return ([.. forward], true);
                continue;
            }
            forward.AddRange(_keys.AsSpan(0, _matched).ToArray());
            _matched = b == _keys[0] ? 1 : 0;
            if (_matched == 0)
                forward.Add(b);
        }
        return ([.. forward], false);
    }
}
