namespace Islander.Model;

/// <summary>Field paths as kubectl prints them: <c>spec.resources.memory</c>, <c>spec.env[2].name</c>.</summary>
internal static class Field
{
    public static string Join(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";
}
