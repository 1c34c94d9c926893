using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Islander.Model;

namespace Islander.Drivers.Images;

public sealed partial class RegistryRepository
{
    /// <summary>
    /// Downloads a blob into <paramref name="partialPath"/>, hashing while it streams. Bytes
    /// already in the file (an interrupted earlier attempt) are kept and the rest is asked for with
    /// <c>Range: bytes=N-</c>; a registry that ignores the range (200) restarts the file. A dropped
    /// connection is retried from where it stopped. On return the file holds exactly the blob;
    /// on a digest or size mismatch it is deleted.
    /// </summary>
    /// <param name="progress">Receives the number of bytes in the file so far.</param>
    public async Task DownloadBlobAsync(OciDescriptor descriptor, string partialPath, IProgress<long>? progress, CancellationToken ct)
    {
        var digest = Digest.Parse(descriptor.Digest);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await DownloadOnceAsync(digest, descriptor.Size, partialPath, progress, ct);
                return;
            }
            catch (Exception e) when (attempt < options.BlobAttempts && IsRetryable(e) && !ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct);
            }
        }
    }

    static bool IsRetryable(Exception e) =>
        e is IOException or HttpRequestException || (e is RegistryException r && r.Category == ErrorCategory.Transient);

    async Task DownloadOnceAsync(Digest digest, long size, string partialPath, IProgress<long>? progress, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(partialPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        long have = file.Length;
        if (size >= 0 && have > size)
        {
            file.SetLength(0);
            have = 0;
        }
        if (have > 0)
            await HashExistingAsync(file, hash, have, ct);
        progress?.Report(have);

        if (have < size || size <= 0)
        {
            long from = have;
            using var response = await SendAsync(() =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, BlobUri(digest));
                if (from > 0)
                    request.Headers.Range = new RangeHeaderValue(from, null);
                return request;
            }, $"blob {digest.Short}", ct, acceptRangeError: true);

            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable || (from > 0 && response.StatusCode != HttpStatusCode.PartialContent))
            {
                // Range ignored or refused: start over from the first byte.
                file.SetLength(0);
                file.Position = 0;
                hash.GetHashAndReset();
                have = 0;
                if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                    throw new IOException($"blob {digest}: range {from}- refused; restarting");
            }
            file.Position = have;
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            byte[] buffer = new byte[1 << 17];
            int n;
            while ((n = await body.ReadAsync(buffer, ct)) > 0)
            {
                have += n;
                if (size > 0 && have > size)
                {
                    file.Close();
                    File.Delete(partialPath);
                    throw new DigestMismatchException($"blob {reference.Repository}@{digest}", digest, $"more than the {size} bytes its descriptor declares");
                }
                hash.AppendData(buffer, 0, n);
                await file.WriteAsync(buffer.AsMemory(0, n), ct);
                progress?.Report(have);
            }
            await file.FlushAsync(ct);
        }
        if (size > 0 && have < size)
            throw new IOException($"blob {digest}: connection closed after {have} of {size} bytes");
        var actual = Digest.FromHash(hash.GetHashAndReset());
        if (actual != digest)
        {
            file.Close();
            File.Delete(partialPath);
            throw new DigestMismatchException($"blob {reference.Repository}@{digest}", digest, actual.ToString());
        }
    }

    static async Task HashExistingAsync(FileStream file, IncrementalHash hash, long length, CancellationToken ct)
    {
        file.Position = 0;
        byte[] buffer = new byte[1 << 17];
        long left = length;
        while (left > 0)
        {
            int n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), ct);
            if (n == 0)
                break;
            hash.AppendData(buffer, 0, n);
            left -= n;
        }
    }
}
