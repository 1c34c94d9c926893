using System.Text.Json;

namespace Islander.Model.Api;

/// <summary>
/// An object as the API returns it, Kubernetes-style: apiVersion, kind, metadata, spec, status (DESIGN.md "Status").
/// islanderd writes it and islanderctl reads it through <see cref="ApiJson"/>; <see cref="Spec"/> is the stored spec,
/// which the client shows but never interprets.
/// </summary>
public sealed record ObjectView(string ApiVersion, string Kind, ObjectMetaView Metadata, JsonElement Spec, ObjectStatusView Status);
