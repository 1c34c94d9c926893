using System.Text;

namespace Islander.Drivers.Images;

/// <summary>A user name and password (or an identity token) for one registry.</summary>
public sealed record RegistryCredential(string Username, string Password, string? IdentityToken = null)
{
    public string BasicHeaderValue => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
}
