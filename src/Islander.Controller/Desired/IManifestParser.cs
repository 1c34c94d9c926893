using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// Turns the text of one manifest file (one or more YAML documents) into validated desired objects.
/// Implemented by <see cref="ModelManifestParser"/> over Islander.Model's ManifestLoader; the controller never parses YAML itself.
/// Pure: reads nothing but <paramref name="text"/>; <paramref name="file"/> only names the source in problems.
/// </summary>
public interface IManifestParser
{
    ManifestLoadResult<DesiredObject> Parse(string file, string text);
}
