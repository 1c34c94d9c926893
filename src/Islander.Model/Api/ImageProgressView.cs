namespace Islander.Model.Api;

/// <summary>
/// One step of a pull, a line of its stream: <see cref="Item"/> (a layer's short digest, or the manifest) reached
/// <see cref="Phase"/>, <see cref="Current"/> of <see cref="Total"/> bytes. The stream ends with an Image or a Status.
/// </summary>
public sealed record ImageProgressView(string Kind, string Item, string Phase, long Current, long Total)
{
    public const string KindName = "ImageProgress";
}
