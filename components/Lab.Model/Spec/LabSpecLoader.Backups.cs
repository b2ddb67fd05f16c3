using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lab.Model.Text;

namespace Lab.Model.Spec;

public static partial class LabSpecLoader
{
    private static IReadOnlyList<string> BackupsFields => field ??= ConfigCatalog.Fields("lab:backups");
    private static IReadOnlyList<string> BackupItemFields => field ??= ConfigCatalog.Fields("lab:backups.items[]");
    private static IReadOnlyList<string> KeepFields => field ??= ConfigCatalog.Fields("lab:backups.items[].keep");
    private const string BackupItemExample = "'{name: results, export: results, schedule: \"*-*-* 02,14:00:00\", rpo: 24h, keep: {daily: 7, weekly: 4, monthly: 6}}'";

    /// <summary>The shorthands systemd.time(7) defines for OnCalendar= (minutely left out: no backup runs every minute).</summary>
    public static readonly IReadOnlySet<string> CalendarShorthands = new HashSet<string> { "hourly", "daily", "weekly", "monthly", "quarterly", "semiannually", "yearly" };

    /// <summary>lab:backups is optional: a stack without it backs up nothing (and says so nowhere else).</summary>
    private static BackupsSpec? ReadBackups(ConfigReader r, string? raw, NasSpec? nas, VaultSpec? vault, PinnedVersions? versions)
    {
        const string key = ConfigKeys.Backups;
        if (raw is null)
        {
            return null;
        }
        if (r.Document(key, raw, JsonValueKind.Object, "lab:backups: {repository: 'sftp:restic@192.168.50.30:/srv/restic/lab', passwordFile: /var/run/secrets/restic-password, items: [...]}") is not { } b)
        {
            return null;
        }
        r.RejectUnknown(b, key, BackupsFields);
        var repository = Repository(r, b, key);
        var passwordFile = r.String(b, key, "passwordFile", "/var/run/secrets/restic-password");
        if (passwordFile is not null && vault is not null && !vault.AgentFiles.Any(f => f.Path == passwordFile))
        {
            // The password reaches the machines only as a file vault-agent renders from Vault: never argv, a unit or the stack.
            r.Error($"{key}.passwordFile", $"{passwordFile} is not a file vault-agent writes.",
                $"add it to {ConfigKeys.Vault}.agentFiles (e.g. {{secret: restic, field: password, path: {passwordFile}}}) with the secret in {ConfigKeys.Vault}.secrets, readable by the node role.");
            passwordFile = null;
        }
        var storageText = r.String(b, key, "vaultStorage", "raft", required: false) ?? "raft";
        VaultStorage? storage = storageText switch { "raft" => VaultStorage.Raft, "file" => VaultStorage.File, _ => null };
        if (storage is null)
        {
            r.Error($"{key}.vaultStorage", $"'{ConfigText.Shorten(storageText)}' is not a Vault storage backend the lab knows.", "use raft (integrated storage) or file.");
        }

        string? checkSchedule = null, subset = null, drillSchedule = null;
        if (r.Child(b, key, "check", JsonValueKind.Object, "check: {schedule: 'Sun *-*-* 04:00:00', readDataSubset: 5%}") is { } check)
        {
            r.RejectUnknown(check, $"{key}.check", ConfigCatalog.Fields("lab:backups.check"));
            checkSchedule = Schedule(r, check, $"{key}.check");
            subset = r.String(check, $"{key}.check", "readDataSubset", "5%", required: false) ?? "5%";
            if (!DataSubset(subset))
            {
                r.Error($"{key}.check.readDataSubset", $"'{ConfigText.Shorten(subset)}' is not a restic --read-data-subset.",
                    $"use a share like 5% or 2.5%, a part like 1/7, or a size like 500M: {r.SetPathFix($"{key}.check.readDataSubset", "5%")}");
                subset = null;
            }
        }
        if (r.Child(b, key, "drill", JsonValueKind.Object, "drill: {schedule: 'Sat *-*-* 05:00:00'}") is { } drill)
        {
            r.RejectUnknown(drill, $"{key}.drill", ConfigCatalog.Fields("lab:backups.drill"));
            drillSchedule = Schedule(r, drill, $"{key}.drill");
        }

        var items = ImmutableArray<BackupItemSpec>.Empty;
        var itemsOk = false;
        if (r.Child(b, key, "items", JsonValueKind.Array, $"items: [{BackupItemExample}]") is { } list)
        {
            (items, itemsOk) = r.Mappings(list, $"{key}.items", BackupItemExample, (item, at) => BackupItem(r, item, at, nas, storage));
            if (itemsOk && items.Length == 0)
            {
                r.Error($"{key}.items", "is empty: nothing would be backed up.", $"list what to back up, e.g. items: [{BackupItemExample}]; or remove {key}.");
                itemsOk = false;
            }
            foreach (var twice in items.GroupBy(i => i.Name).Where(g => g.Count() > 1))
            {
                r.Error($"{key}.items", $"names '{twice.Key}' {twice.Count()} times.", "give every item its own name: it names the item's timer, its snapshots' tag and its series.");
                itemsOk = false;
            }
            foreach (var twice in items.Where(i => i.Source != BackupSource.Export).GroupBy(i => i.Source).Where(g => g.Count() > 1))
            {
                r.Error($"{key}.items", $"backs up the {twice.Key.ToString().ToLowerInvariant()} {twice.Count()} times.", "keep one item per source.");
                itemsOk = false;
            }
        }
        if (versions is not null && !versions.OsPackages.ContainsKey(Backups.BackupJobs.Package))
        {
            r.Error($"{ConfigKeys.Versions}.osPackages", $"does not pin {Backups.BackupJobs.Package}, which {key} runs.",
                r.SetPathFix($"{ConfigKeys.Versions}.osPackages.{Backups.BackupJobs.Package}", "0.16.4-1ubuntu0.1"));
        }
        return repository is null || passwordFile is null || storage is null || checkSchedule is null || subset is null || drillSchedule is null || !itemsOk
            ? null
            : new BackupsSpec(repository, passwordFile, storage.Value, checkSchedule, subset, drillSchedule, items);
    }

    private static BackupItemSpec? BackupItem(ConfigReader r, JsonElement item, string at, NasSpec? nas, VaultStorage? storage)
    {
        r.RejectUnknown(item, at, BackupItemFields);
        var name = r.String(item, at, "name", "results");
        if (name is not null && !BackupItemName().IsMatch(name))
        {
            r.Error($"{at}.name", $"'{ConfigText.Shorten(name)}' is not an item name.", "use lower-case letters, digits and '-' (at most 32), starting with a letter: it names a systemd unit and a snapshot tag.");
            name = null;
        }
        var export = r.String(item, at, "export", "results", required: false);
        var sourceText = r.String(item, at, "source", "export", required: false) ?? "export";
        BackupSource? source = sourceText switch { "export" => BackupSource.Export, "datastore" => BackupSource.Datastore, "vault" => BackupSource.Vault, _ => null };
        if (source is null)
        {
            r.Error($"{at}.source", $"'{ConfigText.Shorten(sourceText)}' is not something the lab backs up.", "use export (with export: NAME), datastore (the cluster's) or vault.");
        }
        else if (source == BackupSource.Export)
        {
            if (export is null)
            {
                r.Error($"{at}.export", "is missing: an export item names the NAS export it backs up.", r.SetPathFix($"{at}.export", "results"));
                source = null;
            }
            else if (nas is not null && !nas.Exports.Any(e => e.Name == export))
            {
                r.Error($"{at}.export", $"'{ConfigText.Shorten(export)}' is not an export of {ConfigKeys.Nas}.exports.",
                    $"use one of: {ConfigText.Names(nas.Exports.Select(e => e.Name))}; or add the export first.");
                source = null;
            }
        }
        else if (export is not null)
        {
            r.Error($"{at}.export", $"is set, but the item backs up the {sourceText}, not an export.", "remove export, or set source: export.");
            source = null;
        }
        if (source == BackupSource.Vault && storage == VaultStorage.File)
        {
            r.Error($"{at}.source", $"is vault, but {ConfigKeys.Backups}.vaultStorage is file: Vault's file storage has no online snapshot, and copying its files while Vault runs gives a torn copy.",
                "remove this item and back Vault up offline as docs/runbooks/backups.md#vault-with-file-storage says (stop Vault, archive its data directory, start and unseal it), or migrate Vault to integrated storage (raft) and set vaultStorage: raft.");
            source = null;
        }
        var schedule = Schedule(r, item, at);
        var rpo = Seconds(r, item, at, "rpo", "24h");
        if (rpo is < 3600 or > 2160 * 3600)
        {
            r.Error($"{at}.rpo", $"{Duration.Format(rpo.Value)} is out of range for a recovery point objective.", $"use between 1h and 2160h (seed 002: 24h for daily data, 168h for training data): {r.SetPathFix($"{at}.rpo", "24h")}");
            rpo = null;
        }
        var keep = Keep(r, item, at);
        return name is null || source is null || schedule is null || rpo is null || keep is null
            ? null
            : new BackupItemSpec(name, source.Value, source == BackupSource.Export ? export : null, schedule, rpo.Value, keep);
    }

    private static KeepRules? Keep(ConfigReader r, JsonElement item, string at)
    {
        if (r.Child(item, at, "keep", JsonValueKind.Object, "keep: {daily: 7, weekly: 4, monthly: 6}") is not { } keep)
        {
            return null;
        }
        r.RejectUnknown(keep, $"{at}.keep", KeepFields);
        var counts = KeepFields.Select(f => r.Int(keep, $"{at}.keep", f, 0, 0, 10_000, "7")).ToList();
        if (counts.Any(c => c is null))
        {
            return null;
        }
        if (counts.All(c => c == 0))
        {
            r.Error($"{at}.keep", "keeps nothing: restic forget would remove every snapshot of this item.",
                $"keep at least one snapshot, e.g. keep: {{daily: 7, weekly: 4, monthly: 6}} ({r.SetPathFix($"{at}.keep.daily", "7")}).");
            return null;
        }
        return new KeepRules(counts[0]!.Value, counts[1]!.Value, counts[2]!.Value, counts[3]!.Value);
    }

    /// <summary>
    /// The field "schedule" as a systemd calendar expression: a shorthand, or [WEEKDAYS] [DATE] TIME with
    /// numbers, lists, ranges and '*' (systemd.time(7)); every accepted form is one systemd-analyze calendar
    /// accepts (the tests check this against the real tool, and the machine checks it again before installing a timer).
    /// </summary>
    private static string? Schedule(ConfigReader r, JsonElement obj, string at)
    {
        var schedule = r.String(obj, at, "schedule", "'*-*-* 02:00:00'");
        if (schedule is not null && !IsCalendar(schedule))
        {
            r.Error($"{at}.schedule", $"'{ConfigText.Shorten(schedule)}' is not a systemd calendar expression.",
                $"use a shorthand ({string.Join(", ", CalendarShorthands)}) or WEEKDAY YYYY-MM-DD HH:MM:SS with '*', lists and ranges, e.g. '*-*-* 02,14:00:00' or 'Sun *-*-* 04:00:00'; check it with: systemd-analyze calendar 'EXPRESSION'");
            return null;
        }
        return schedule;
    }

    public static bool IsCalendar(string text)
    {
        if (CalendarShorthands.Contains(text))
        {
            return true;
        }
        var m = CalendarExpression().Match(text);
        return m.Success
            && (!m.Groups["month"].Success || Within(m.Groups["month"].Value, 1, 12))
            && (!m.Groups["day"].Success || Within(m.Groups["day"].Value, 1, 31))
            && Within(m.Groups["hour"].Value, 0, 23)
            && Within(m.Groups["minute"].Value, 0, 59)
            && (!m.Groups["second"].Success || Within(m.Groups["second"].Value, 0, 59));
    }

    /// <summary>A calendar component ('*', or numbers, lists and ranges) within [min, max], ranges ascending.</summary>
    private static bool Within(string component, int min, int max) =>
        component == "*" || component.Split(',').All(part =>
        {
            var bounds = part.Split("..");
            var numbers = bounds.Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToList();
            return numbers.All(n => n >= min && n <= max) && (numbers.Count == 1 || numbers[0] <= numbers[1]);
        });

    private static bool DataSubset(string text)
    {
        var m = DataSubsetForm().Match(text);
        if (!m.Success)
        {
            return false;
        }
        if (m.Groups["n"].Success)
        {
            var n = int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            var t = int.Parse(m.Groups["t"].Value, CultureInfo.InvariantCulture);
            return n >= 1 && n <= t;
        }
        return !m.Groups["percent"].Success || double.Parse(m.Groups["percent"].Value, CultureInfo.InvariantCulture) is > 0 and <= 100;
    }

    /// <summary>
    /// The repository as restic names it: sftp:[USER@]HOST:/PATH or rest:http(s)://HOST[:PORT]/PATH. Credentials never
    /// belong in it (they would sit in the units' command lines and the plan): a password in it is refused.
    /// </summary>
    private static string? Repository(ConfigReader r, JsonElement b, string key)
    {
        const string example = "'sftp:restic@192.168.50.30:/srv/restic/lab'";
        var repository = r.String(b, $"{key}", "repository", example);
        if (repository is null)
        {
            return null;
        }
        var full = $"{key}.repository";
        if (repository.StartsWith("sftp:", StringComparison.Ordinal))
        {
            var at = repository.LastIndexOf('@');
            if (at > 0 && repository[5..at].Contains(':'))
            {
                r.Error(full, "carries a password.", $"remove it: restic reaches an SFTP repository with the machine's SSH key, and the repository password comes from {key}.passwordFile. e.g. {example}");
                return null;
            }
            if (!SftpRepository().IsMatch(repository))
            {
                r.Error(full, $"'{ConfigText.Shorten(repository)}' is not an SFTP repository of the form sftp:USER@HOST:/ABSOLUTE/PATH.", r.SetPathFix(full, example));
                return null;
            }
            return repository;
        }
        if (repository.StartsWith("rest:", StringComparison.Ordinal))
        {
            return r.Url(full, repository[5..], ["http", "https"], rootOnly: false, "rest:https://192.168.50.30:8000/lab") is null ? null : repository;
        }
        if (repository.StartsWith("s3:", StringComparison.Ordinal))
        {
            r.Error(full, "is an S3 repository, whose access keys the lab cannot yet deliver through vault-agent.",
                $"use an SFTP repository or a rest-server (rest:https://HOST:8000/lab) inside the lab, e.g. {example}");
            return null;
        }
        r.Error(full, $"'{ConfigText.Shorten(repository)}' is not a restic repository on another machine.",
            $"name it as restic does: sftp:USER@HOST:/PATH or rest:https://HOST:8000/PATH (a repository on the machine itself would die with it), e.g. {example}");
        return null;
    }

    [GeneratedRegex(@"\A[a-z][a-z0-9-]{0,31}\z")] private static partial Regex BackupItemName();

    [GeneratedRegex(@"\Asftp:([a-z_][a-z0-9_-]{0,31}@)?[A-Za-z0-9][A-Za-z0-9.-]{0,252}:/[A-Za-z0-9._/-]{0,255}\z")] private static partial Regex SftpRepository();

    [GeneratedRegex(@"\A((?<n>\d{1,6})/(?<t>\d{1,6})|(?<percent>\d{1,3}(\.\d{1,3})?)%|\d{1,12}[kKmMgGtT]?)\z")] private static partial Regex DataSubsetForm();

    private const string CalendarNumbers = @"\d{1,2}(\.\.\d{1,2})?(,\d{1,2}(\.\.\d{1,2})?)*";
    private const string CalendarDays = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)";

    [GeneratedRegex(@"\A(" + CalendarDays + @"(\.\." + CalendarDays + ")?(," + CalendarDays + @"(\.\." + CalendarDays + ")?)* )?"
        + @"((\*|\d{4})-(?<month>\*|" + CalendarNumbers + ")-(?<day>\\*|" + CalendarNumbers + ") )?"
        + "(?<hour>\\*|" + CalendarNumbers + "):(?<minute>\\*|" + CalendarNumbers + ")(:(?<second>\\*|" + CalendarNumbers + "))?\\z")]
    private static partial Regex CalendarExpression();
}
