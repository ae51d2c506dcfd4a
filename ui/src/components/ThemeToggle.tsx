import { THEME_MODES, useTheme, type ThemeMode } from '@/stores/theme'
import { IconButton } from './Button'
import { Icon, type IconName } from './Icon'

const icons: Record<ThemeMode, IconName> = { system: 'monitor', light: 'sun', dark: 'moon' }

/** Cycles system → light → dark; the choice is stored in the browser. */
export function ThemeToggle() {
  const { mode, setMode } = useTheme()
  const next = THEME_MODES[(THEME_MODES.indexOf(mode) + 1) % THEME_MODES.length]
  return (
    <IconButton
      label={`Theme: ${mode} (switch to ${next})`}
      onClick={() => setMode(next)}
      data-testid="theme-toggle"
      data-mode={mode}
    >
      <Icon name={icons[mode]} />
    </IconButton>
  )
}
