using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lab.Model.Images;
using Lab.Model.Validation;

namespace Lab.Model.Spec;

public static partial class LabSpecLoader
{
    private static IReadOnlyList<string> ValidationFields => field ??= ConfigCatalog.Fields("lab:validation");
    private static IReadOnlyList<string> BuildFields => field ??= ConfigCatalog.Fields("lab:validation.build");
    /// <summary>The keys of lab:validation.targets: the gate's `check` label values on the Pushgateway (contract 3).</summary>
    public static IReadOnlyList<string> TargetFields => ConfigCatalog.Fields("lab:validation.targets");

    private static ValidationSpec? ReadValidation(ConfigReader r, string? raw, Ipv4Network? subnet, NasSpec? nas)
    {
        const string key = ConfigKeys.Validation;
        if (r.Document(key, raw, JsonValueKind.Object, "lab:validation: {mode: enforce, registry: 192.168.50.20:5000, images: {...}, targets: {...}}") is not { } v)
        {
            return null;
        }
        if (v.TryGetProperty("inferenceEndpoint", out _))
        {
            // Renamed: the probe now needs the model too, and times a real completion rather than GET /v1/models.
            r.Error($"{key}.inferenceEndpoint", "was replaced by lab:validation.inference {endpoint, model}.",
                "remove inferenceEndpoint and set inference: {endpoint: http://HOST:8000/v1, model: MODEL} (endpoint is the OpenAI-compatible base URL, without /models or /chat/completions).");
        }
        r.RejectUnknown(v, key, [.. ValidationFields, "inferenceEndpoint"]);
        var modeText = r.Optional(v, key, "mode");
        GateMode? mode = modeText switch { "enforce" => GateMode.Enforce, "warn" => GateMode.Warn, "off" => GateMode.Off, _ => null };
        if (mode is null)
        {
            r.Error($"{key}.mode", $"'{ConfigText.Shorten(modeText)}' is not a gate mode.", "use enforce (fail the update), warn (report only) or off.");
        }
        var epoch = r.Int(v, key, "epoch");
        var registry = r.String(v, key, "registry", "192.168.50.20:5000");
        if (registry is not null)
        {
            var host = registry.Split(':')[0];
            if (!RegistryHost().IsMatch(registry))
            {
                r.Error($"{key}.registry", $"'{ConfigText.Shorten(registry)}' is not a registry address (HOST[:PORT]).", r.SetPathFix($"{key}.registry", "192.168.50.20:5000"));
                registry = null;
            }
            else if (subnet is not null && Ipv4Network.TryParseAddress(host, out var ip) && !subnet.Contains(ip))
            {
                r.Error($"{key}.registry", $"{host} is outside the lab subnet {subnet}.", "use the lab's local registry mirror: the gate pulls nothing from outside.");
                registry = null;
            }
            else if (Ipv4Network.TryParseAddress(host, out var registryIp) && IsReserved(r, $"{key}.registry", registryIp, subnet))
            {
                registry = null;
            }
        }
        var registryTls = r.Bool(v, key, "registryTls");
        // The program builds every image the operator did not pin here; a pinned one must carry its digest.
        var images = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var imagesValid = true;
        if (v.TryGetProperty("images", out _) && r.Child(v, key, "images", JsonValueKind.Object, $"images: {{tools: {ImageExample}}}") is { } list)
        {
            r.RejectUnknown(list, $"{key}.images", LabImages.Names);
            foreach (var name in LabImages.Names)
            {
                var image = r.String(list, $"{key}.images", name, $"'{ImageExample}'", required: false);
                if (image is not null && !PinnedImage().IsMatch(image))
                {
                    r.Error($"{key}.images.{name}", $"'{ConfigText.Shorten(image)}' is not pinned by digest (REPOSITORY:TAG@sha256:DIGEST): a tag can be moved to other content, and these images run the gate's Jobs, the drill's privileged one included.",
                        $"read the digest from the lab's registry, e.g. skopeo inspect --format '{{{{.Digest}}}}' docker://{registry ?? "REGISTRY"}/REPOSITORY:TAG, then {r.SetPathFix($"{key}.images.{name}", $"'{ImageExample}'")} (or remove it: the program then builds the image).");
                    imagesValid = false;
                }
                else if (image is not null)
                {
                    images[name] = image;
                }
            }
        }
        var build = ReadBuild(r, v, key);
        var inference = ReadInference(r, v, key);
        var nfsExport = r.String(v, key, "nfsExport", "results");
        if (nfsExport is not null && nas is not null && nas.Exports.All(e => e.Name != nfsExport))
        {
            r.Error($"{key}.nfsExport", $"'{nfsExport}' is not an export of the NAS.", $"use one of: {ConfigText.Names(nas.Exports.Select(e => e.Name))}.");
            nfsExport = null;
        }
        else if (nfsExport is not null && nas?.Export(nfsExport).Access == ExportAccess.ReadOnly)
        {
            r.Error($"{key}.nfsExport", $"'{nfsExport}' is read-only; the probe measures writes.", "name a read-write export (it writes and removes one probe file).");
            nfsExport = null;
        }
        var drill = r.Bool(v, key, "drill");
        var targets = ReadTargets(r, v, key);
        return mode is null || epoch is null || registry is null || registryTls is null || !imagesValid || build is null || inference is null || nfsExport is null || drill is null || targets is null
            ? null
            : new ValidationSpec(mode.Value, epoch.Value, registry, images.ToImmutable(), inference, nfsExport, drill.Value, targets, registryTls.Value, build);
    }

    /// <summary>lab:validation.build: every field has a default, so the key is optional; what is set is validated.</summary>
    private static ImageBuildPins? ReadBuild(ConfigReader r, JsonElement v, string key)
    {
        var defaults = LabImages.DefaultPins;
        if (!v.TryGetProperty("build", out _))
        {
            return defaults;
        }
        const string example = "build: {buildah: 1.33.7+ds1-1, debootstrap: 1.0.134ubuntu1, gpuBurnCommit: COMMIT, cudaCompute: 86, rapids: 26.10.2}";
        if (r.Child(v, key, "build", JsonValueKind.Object, example) is not { } b)
        {
            return null;
        }
        var at = $"{key}.build";
        r.RejectUnknown(b, at, BuildFields);
        string? Pinned(string field, string fallback, Regex form, string what)
        {
            var value = r.String(b, at, field, fallback, required: false) ?? fallback;
            if (!form.IsMatch(value))
            {
                r.Error($"{at}.{field}", $"'{ConfigText.Shorten(value)}' is not {what}.", r.SetPathFix($"{at}.{field}", fallback));
                return null;
            }
            return value;
        }
        var buildah = Pinned("buildah", defaults.Buildah, AptVersion(), "an apt version");
        var debootstrap = Pinned("debootstrap", defaults.Debootstrap, AptVersion(), "an apt version");
        var commit = Pinned("gpuBurnCommit", defaults.GpuBurnCommit, GitCommit(), "a full git commit hash (40 lowercase hex digits): a branch or tag can move");
        var compute = r.Int(b, at, "cudaCompute");
        var rapids = Pinned("rapids", defaults.Rapids, PythonRelease(), "a cudf-cu12 release (e.g. 26.10.2)");
        return buildah is null || debootstrap is null || commit is null || compute is null || rapids is null
            ? null
            : new ImageBuildPins(buildah, debootstrap, commit, compute.Value, rapids);
    }

    private static InferenceSpec? ReadInference(ConfigReader r, JsonElement v, string key)
    {
        const string example = "inference: {endpoint: http://192.168.50.11:8000/v1, model: meta/llama-3.1-8b-instruct}";
        if (r.Child(v, key, "inference", JsonValueKind.Object, example) is not { } i)
        {
            return null;
        }
        var at = $"{key}.inference";
        r.RejectUnknown(i, at, ConfigCatalog.Fields("lab:validation.inference"));
        var endpoint = r.String(i, at, "endpoint", "http://192.168.50.11:8000/v1")?.TrimEnd('/');
        if (endpoint is not null && r.Url($"{at}.endpoint", endpoint, ["http", "https"], rootOnly: false, "http://192.168.50.11:8000/v1") is null)
        {
            endpoint = null;
        }
        else if (endpoint is not null && (endpoint.EndsWith("/models", StringComparison.Ordinal) || endpoint.EndsWith("/chat/completions", StringComparison.Ordinal)))
        {
            r.Error($"{at}.endpoint", $"'{ConfigText.Shorten(endpoint)}' names an API path; the probe appends /chat/completions itself.", r.SetPathFix($"{at}.endpoint", "http://192.168.50.11:8000/v1"));
            endpoint = null;
        }
        var model = r.String(i, at, "model", "meta/llama-3.1-8b-instruct");
        if (model is not null && !ModelName().IsMatch(model))
        {
            r.Error($"{at}.model", $"'{ConfigText.Shorten(model)}' is not a model name as the server lists it (letters, digits, . _ - / :).", r.SetPathFix($"{at}.model", "meta/llama-3.1-8b-instruct"));
            model = null;
        }
        return endpoint is null || model is null ? null : new InferenceSpec(endpoint, model);
    }

    private static ValidationTargets? ReadTargets(ConfigReader r, JsonElement v, string key)
    {
        if (r.Child(v, key, "targets", JsonValueKind.Object, "targets: {gpuUtilization: 95, inferenceP95: 200, rapidsSpeedup: 5, bandwidth: 2.3, nfsRead: 200, nfsWrite: 150, failureDetection: 30}") is not { } t)
        {
            return null;
        }
        var at = $"{key}.targets";
        r.RejectUnknown(t, at, TargetFields);
        double? Target(string field)
        {
            var setting = ConfigReader.Setting(at, field);
            var (min, max, example) = (setting.Min!.Value, setting.Max!.Value, setting.Example!);
            // An optional target (slurmJob) takes its catalogue default when left out.
            var text = r.String(t, at, field, example, required: setting.Required) ?? setting.Default;
            if (text is null)
            {
                return null;
            }
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < min || value > max)
            {
                r.Error($"{at}.{field}", $"'{ConfigText.Shorten(text)}' is out of range: use a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.", r.SetPathFix($"{at}.{field}", example));
                return null;
            }
            return value;
        }
        var gpu = Target("gpuUtilization");
        var p95 = Target("inferenceP95");
        var rapids = Target("rapidsSpeedup");
        var bandwidth = Target("bandwidth");
        var read = Target("nfsRead");
        var write = Target("nfsWrite");
        var detection = Target("failureDetection");
        var slurmJob = Target("slurmJob");
        return gpu is null || p95 is null || rapids is null || bandwidth is null || read is null || write is null || detection is null || slurmJob is null
            ? null
            : new ValidationTargets(gpu.Value, p95.Value, rapids.Value, bandwidth.Value, read.Value, write.Value, detection.Value, slurmJob.Value);
    }

    [GeneratedRegex(ConfigPatterns.RegistryHost)] private static partial Regex RegistryHost();
    [GeneratedRegex(ConfigPatterns.GitCommit)] private static partial Regex GitCommit();
    [GeneratedRegex(ConfigPatterns.PythonRelease)] private static partial Regex PythonRelease();
    [GeneratedRegex(ConfigPatterns.ModelName)] private static partial Regex ModelName();
    private const string ImageExample = "lab/gpu-burn:cuda12.6.3@sha256:<64 hex digits>";
    [GeneratedRegex(ConfigPatterns.PinnedImage)] private static partial Regex PinnedImage();
}
