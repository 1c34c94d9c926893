using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Islander.Model;

namespace Islander.Controller.Desired;

/// <summary>
/// One validated object of the desired state. <see cref="Spec"/> is its spec as the API shows it (and what the hash
/// covers); <see cref="Isle"/> is the typed spec for isles. Labels never change the hash, so relabelling never
/// recreates an isle.
/// </summary>
public sealed record DesiredObject(ObjectKey Key, IReadOnlyDictionary<string, string> Labels, JsonObject Spec, IsleSpec? Isle, string Source)
{
    string? _hash;

    public string Name => Key.Name;

    /// <summary><c>metadata.annotations</c>: like labels, never part of either hash.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = NoAnnotations;

    /// <summary>Annotated <c>islander.io/prune: disabled</c>: kept when its manifest goes (<see cref="ObjectAnnotations"/>).</summary>
    public bool KeepWhenManifestGoes => ObjectAnnotations.KeepsWhenManifestGoes(Annotations);

    static readonly IReadOnlyDictionary<string, string> NoAnnotations = new Dictionary<string, string>();

    /// <summary>
    /// 16 hex digits: the model's <see cref="Model.SpecHash"/> for isles (what the diff compares), SHA-256 over the
    /// spec's JSON for the other kinds.
    /// </summary>
    public string SpecHash => _hash ??= Isle is not null ? Model.SpecHash.Of(Isle) : ContentHash;

    /// <summary>
    /// 16 hex digits of SHA-256 over the spec's JSON, every field: whether the object changed at all (a new generation),
    /// where <see cref="SpecHash"/> says whether the isle's spec changed. They differ when the same spec is written
    /// another way (a quantity's unit, a default written out), which needs nothing of the running isle.
    /// </summary>
    public string ContentHash => _content ??= Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Spec.ToJsonString())))[..16];

    string? _content;

    /// <summary>
    /// <see cref="Spec"/> as the API's views hold it, made once (as the hashes): every <c>GET isles</c> shows every
    /// isle's spec, and converting each anew cost a few KiB of garbage per isle per request (a JSON string and a parsed
    /// copy). Read by many requests at once: a JsonElement is safe to read concurrently; boxed, so none sees half of one.
    /// </summary>
    public JsonElement SpecElement => (_element ??= new StrongBox<JsonElement>(JsonSerializer.SerializeToElement(Spec, Model.Api.ApiJson.Context.JsonNode))).Value;

    StrongBox<JsonElement>? _element;

    /// <summary>
    /// The config files the manifest names whose content is still to be read from its tree
    /// (<see cref="ConfigFileContent.Fill"/>); empty once read, and for objects from the API (islanderctl sends the content).
    /// </summary>
    public IReadOnlyList<ConfigFileReference> ConfigFiles { get; init; } = [];

    public static DesiredObject ForIsle(string name, IsleSpec spec, string source, IReadOnlyDictionary<string, string>? labels = null) =>
        new(ObjectKey.Isle(name), labels ?? new Dictionary<string, string>(), SpecJson.FromIsle(spec), spec, source);
}
