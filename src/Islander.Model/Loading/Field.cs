namespace Islander.Model;

/// <summary>Field paths as kubectl prints them: <c>spec.resources.memory</c>, <c>spec.env[2].name</c>.</summary>
internal static class Field
{
    /// <summary>An empty key (<c>: x</c>) is shown as <c>""</c>, so that even its problem names a field.</summary>
    public static string Join(string parent, string key)
    {
        if (key.Length == 0) key = "\"\"";
        return parent.Length == 0 ? key : $"{parent}.{key}";
    }

    public static string Index(string parent, int index) => $"{parent}[{index}]";
}
