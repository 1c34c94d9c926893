using Islander.Model.Api;

namespace Islander.Cli.Api;

/// <summary>One line of a pull's stream as the client hands it on: a progress step, or (the last) the image pulled.</summary>
public sealed record ImagePullStep(ImageProgressView? Progress, ImageView? Image);
