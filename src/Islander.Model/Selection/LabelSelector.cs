namespace Islander.Model;

/// <summary>
/// A label selector as kubectl's <c>-l</c> and Kubernetes' <c>labelSelector=</c> take it: requirements separated by
/// commas, all of which must hold. Equality-based (<c>key=value</c>, <c>key==value</c>, <c>key!=value</c>), existence
/// (<c>key</c>, <c>!key</c>) and set-based (<c>key in (a,b)</c>, <c>key notin (a,b)</c>). As in Kubernetes, <c>!=</c>
/// and <c>notin</c> also select objects without the label, and the empty selector selects everything. Kubernetes'
/// <c>&lt;</c> and <c>&gt;</c> (numeric, node affinity only) are refused with a message.
/// Parsed once here; islanderctl checks <c>-l</c> with it before it asks islanderd, and islanderd applies it.
/// </summary>
public sealed class LabelSelector
{
    public const string Syntax = "write key=value, key!=value, key, !key, key in (v1,v2) or key notin (v1,v2), separated by commas";

    LabelSelector(IReadOnlyList<LabelRequirement> requirements) => Requirements = requirements;

    /// <summary>Selects every object.</summary>
    public static LabelSelector Everything { get; } = new([]);

    public IReadOnlyList<LabelRequirement> Requirements { get; }

    public bool IsEverything => Requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        return Requirements.All(r => r.Matches(labels));
    }

    public override string ToString() => string.Join(",", Requirements);

    /// <summary>
    /// The selector, or false with an error that quotes the selector, says at which character and what was wrong, and
    /// how to write one (<see cref="Syntax"/>).
    /// </summary>
    public static bool TryParse(string? text, out LabelSelector selector, out string? error)
    {
        selector = Everything;
        error = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var parser = new Parser(text);
        var requirements = new List<LabelRequirement>();
        while (true)
        {
            if (parser.Requirement() is not { } requirement)
            {
                error = $"label selector \"{ManifestLimits.Excerpt(text, 120)}\": at character {parser.ErrorAt + 1}: {parser.Error}; {Syntax}";
                return false;
            }
            requirements.Add(requirement);
            parser.SkipSpaces();
            if (parser.AtEnd) break;
            parser.Expect(','); // Requirement() stops only at a comma or the end
        }
        selector = new LabelSelector(requirements);
        return true;
    }

    /// <summary>As <see cref="TryParse"/>; a bad selector is an <see cref="IslanderException"/> (InvalidManifest) with that error.</summary>
    public static LabelSelector Parse(string? text) =>
        TryParse(text, out var selector, out var error) ? selector : throw new IslanderException(error!, ErrorCategory.InvalidManifest);

    /// <summary>A scanner over the text with the position of the first error.</summary>
    sealed class Parser(string text)
    {
        int _pos;

        public string? Error { get; private set; }

        public int ErrorAt { get; private set; }

        public bool AtEnd => _pos >= text.Length;

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        public void Expect(char c)
        {
            if (!AtEnd && text[_pos] == c) _pos++;
        }

        public LabelRequirement? Requirement()
        {
            SkipSpaces();
            if (Peek('!') && !Peek("!="))
            {
                _pos++;
                SkipSpaces();
                if (Key() is not { } absent) return null;
                SkipSpaces();
                if (!AtEnd && text[_pos] != ',') return Fail(_pos, $"\"!{absent}\" takes no operator or value (it selects objects without the label {absent})");
                return new LabelRequirement(absent, SelectorOperator.DoesNotExist, []);
            }
            if (Key() is not { } key) return null;
            SkipSpaces();
            if (AtEnd || text[_pos] == ',') return new LabelRequirement(key, SelectorOperator.Exists, []);
            if (Peek("!=")) return Compare(key, SelectorOperator.NotEquals, 2);
            if (Peek("==")) return Compare(key, SelectorOperator.Equals, 2);
            if (Peek('=')) return Compare(key, SelectorOperator.Equals, 1);
            if (Peek('<') || Peek('>'))
                return Fail(_pos, $"\"{text[_pos]}\" compares numbers, which Kubernetes allows only in node affinity; islander takes none");
            var at = _pos;
            var word = Word();
            return word switch
            {
                "in" => Set(key, SelectorOperator.In),
                "notin" => Set(key, SelectorOperator.NotIn),
                "" => Fail(at, $"unexpected \"{text[at]}\" after the key {key}"),
                _ => Fail(at, $"unexpected \"{word}\" after the key {key} (a value follows =, == or !=; a key has no spaces)"),
            };
        }

        LabelRequirement? Compare(string key, SelectorOperator op, int length)
        {
            _pos += length;
            SkipSpaces();
            var at = _pos;
            var value = Word();
            if (value.Length == 0 && !AtEnd && text[_pos] != ',')
                return Fail(at, $"unexpected \"{text[at]}\" where the value of {key} should be");
            if (!Names.IsLabelValue(value))
                return Fail(at, $"\"{value}\" is not a valid label value; use at most 63 characters a-z, A-Z, 0-9, '-', '_', '.', starting and ending with a letter or digit");
            SkipSpaces();
            if (!AtEnd && text[_pos] != ',')
                return Fail(_pos, $"unexpected \"{text[_pos]}\" after {key}{(op == SelectorOperator.NotEquals ? "!=" : "=")}{value} (requirements are separated by commas)");
            return new LabelRequirement(key, op, [value]);
        }

        LabelRequirement? Set(string key, SelectorOperator op)
        {
            var name = op == SelectorOperator.In ? "in" : "notin";
            SkipSpaces();
            if (!Peek('(')) return Fail(_pos, $"\"{name}\" takes a set of values in parentheses, e.g. {key} {name} (a,b)");
            _pos++;
            var values = new List<string>();
            while (true)
            {
                SkipSpaces();
                var at = _pos;
                var value = Word();
                if (value.Length == 0 && (AtEnd || text[_pos] is not (',' or ')')))
                    return Fail(at, AtEnd ? $"the set after \"{name}\" needs a closing \")\"" : $"unexpected \"{text[at]}\" in the set of values");
                if (!Names.IsLabelValue(value))
                    return Fail(at, $"\"{value}\" is not a valid label value; use at most 63 characters a-z, A-Z, 0-9, '-', '_', '.', starting and ending with a letter or digit");
                values.Add(value);
                SkipSpaces();
                if (AtEnd) return Fail(_pos, $"the set after \"{name}\" needs a closing \")\"");
                if (text[_pos] == ')') { _pos++; break; }
                if (text[_pos] != ',') return Fail(_pos, $"unexpected \"{text[_pos]}\" in the set of values (separate them with commas)");
                _pos++;
            }
            if (values is [""]) return Fail(_pos - 1, $"the set after \"{name}\" is empty; name at least one value");
            SkipSpaces();
            if (!AtEnd && text[_pos] != ',')
                return Fail(_pos, $"unexpected \"{text[_pos]}\" after the set (requirements are separated by commas)");
            return new LabelRequirement(key, op, values);
        }

        string? Key()
        {
            var at = _pos;
            var key = Word();
            if (key.Length == 0)
                return Fail<string>(at, AtEnd ? "a label key is missing (a selector may not end with a comma)" : $"expected a label key, found \"{text[at]}\"");
            if (!Names.IsLabelKey(key))
                return Fail<string>(at, $"\"{key}\" is not a valid label key; use [prefix/]name with at most 63 characters a-z, A-Z, 0-9, '-', '_', '.'");
            return key;
        }

        /// <summary>A run of the characters a label key or value is made of (and '/' of a key's prefix).</summary>
        string Word()
        {
            var start = _pos;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '-' or '_' or '.' or '/')) _pos++;
            return text[start.._pos];
        }

        bool Peek(char c) => !AtEnd && text[_pos] == c;

        bool Peek(string s) => string.CompareOrdinal(text, _pos, s, 0, s.Length) == 0;

        LabelRequirement? Fail(int at, string message) => Fail<LabelRequirement>(at, message);

        T? Fail<T>(int at, string message) where T : class
        {
            ErrorAt = at;
            Error = message;
            return null;
        }
    }
}
