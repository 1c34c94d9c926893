# fish completion for islanderctl, from `islanderctl completion fish`; the Debian package installs it as
# /usr/share/fish/vendor_completions.d/islanderctl.fish. Elsewhere: islanderctl completion fish | source
# The candidates come from islanderctl itself (`islanderctl __complete -- WORDS... CURRENT`): its verbs and flags,
# and the names of isles, networks, volumes and images from islanderd. No daemon: no names, and nothing printed.

function __islanderctl_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l lines ($words[1] __complete -- $words[2..-1] $current 2>/dev/null)
    or return
    for line in $lines
        switch $line
            case ':files'
                __fish_complete_path $current
            case ':dirs'
                __fish_complete_directories $current
            case ':*'
            case '*'
                # NAME<TAB>DESCRIPTION, fish's own form.
                printf '%s\n' $line
        end
    end
end

complete -c islanderctl -f -a '(__islanderctl_complete)'
