; Inno Setup script: the Windows installer for the one-folder bundle in dist\sw-census\.
;
;     iscc /DAppVersion=0.1.0 installer\sw-census.iss      (from the repository root, after build.spec)
;
; Per-user install by default (office PCs rarely grant administrator rights; the clerk may choose
; "all users" when they have them): Start-menu and optional desktop shortcuts, an uninstaller, and
; the .census file association so that double-clicking a census file opens it in the app.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "社会工作专业人才摸排"
#define AppExe "sw-census.exe"
#define SourceDir "..\dist\sw-census"

[Setup]
AppId={{6C1B6B7E-3F1D-4C8E-9B57-7A6B2D0C51E4}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=民政局
DefaultDirName={autopf}\sw-census
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 or later
MinVersion=10.0
OutputDir=..\dist\installer
OutputBaseFilename=sw-census-setup-{#AppVersion}
SetupIconFile=..\resources\icon.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes

[Languages]
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
Name: "zh"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "创建桌面快捷方式"; GroupDescription: "快捷方式："

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName}（示例普查）"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; .census → SwCensus.File → "sw-census.exe" "%1"  (HKA: the current user's or all users' classes)
Root: HKA; Subkey: "Software\Classes\.census"; ValueType: string; ValueName: ""; ValueData: "SwCensus.File"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\SwCensus.File"; ValueType: string; ValueName: ""; ValueData: "社会工作人才摸排普查文件"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\SwCensus.File\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\SwCensus.File\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""

[Run]
Filename: "{app}\{#AppExe}"; Description: "立即打开{#AppName}"; Flags: nowait postinstall skipifsilent
