# Build the one-folder desktop package on Windows and check it.
#   powershell -ExecutionPolicy Bypass -File packaging\build.ps1
# Result: dist\ColorStudio\ColorStudio.exe (no console) and colorstudio-cli.exe (console).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")

# a failed import writes to stderr, which "Stop" would turn into a terminating error
$ErrorActionPreference = "Continue"
python -c "import PyInstaller" 2>$null
$havePyInstaller = ($LASTEXITCODE -eq 0)
$ErrorActionPreference = "Stop"
if (-not $havePyInstaller) { python -m pip install "pyinstaller>=6.0" }
if (Test-Path resources\icons\make_icons.py) {      # not in the sdist: its icons are final
    python resources\icons\make_icons.py | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "make_icons failed" }
}
python -m PyInstaller --noconfirm --clean --distpath dist --workpath build packaging\colorstudio.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$app = "dist\ColorStudio"
# ColorStudio.exe has no console: check it through its exit code; the CLI prints the line.
& "$app\colorstudio-cli.exe" --version
if ($LASTEXITCODE -ne 0) { throw "colorstudio-cli --version failed" }
& "$app\colorstudio-cli.exe" --selftest
if ($LASTEXITCODE -ne 0) { throw "selftest (cli) failed" }
$p = Start-Process -FilePath "$app\ColorStudio.exe" -ArgumentList "--selftest" -Wait -PassThru
if ($p.ExitCode -ne 0) { throw "selftest (app) failed" }
$bytes = (Get-ChildItem $app -Recurse | Measure-Object -Property Length -Sum).Sum
"{0:N0} MB in {1}" -f ($bytes / 1MB), $app
