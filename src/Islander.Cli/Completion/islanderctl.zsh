#compdef islanderctl
# zsh completion for islanderctl, from `islanderctl completion zsh`; the Debian package installs it as
# /usr/share/zsh/vendor-completions/_islanderctl. Elsewhere, after compinit: source <(islanderctl completion zsh)
# The candidates come from islanderctl itself (`islanderctl __complete -- WORDS... CURRENT`): its verbs and flags,
# and the names of isles, networks, volumes and images from islanderd. No daemon: no names, and nothing printed.

_islanderctl() {
    local -a lines candidates
    local line directive=values
    lines=("${(@f)$("${words[1]}" __complete -- "${(@)words[2,CURRENT-1]}" "$PREFIX" 2>/dev/null)}")
    for line in "${lines[@]}"; do
        case $line in
        :*) directive=${line#:} ;;
        # _describe's NAME:DESCRIPTION, with the colons of the name (busybox:latest) escaped.
        *$'\t'*) candidates+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}") ;;
        ?*) candidates+=("${line//:/\\:}") ;;
        esac
    done
    local ret=1
    (( ${#candidates} )) && _describe -t values 'islanderctl' candidates && ret=0
    case $directive in
    files) _files && ret=0 ;;
    dirs) _files -/ && ret=0 ;;
    esac
    return ret
}

# Sourced (or eval'd): register. Autoloaded from $fpath as _islanderctl: this body is the first call, so complete now.
if [[ $funcstack[1] == _islanderctl ]]; then
    _islanderctl "$@"
else
    compdef _islanderctl islanderctl
fi
