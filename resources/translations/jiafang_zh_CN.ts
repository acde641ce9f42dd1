<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AssetsStep</name>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Kind of asset</source>
        <translation>财产类型</translation>
    </message>
    <message>
        <source>Value (yuan)</source>
        <translation>价值（元）</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Add asset</source>
        <translation>添加财产</translation>
    </message>
    <message>
        <source>Used for a disability</source>
        <translation>残疾人用车/辅助</translation>
    </message>
    <message>
        <source>Bank deposit</source>
        <translation>银行存款</translation>
    </message>
    <message>
        <source>Securities</source>
        <translation>有价证券</translation>
    </message>
    <message>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <source>Real estate</source>
        <translation>房产</translation>
    </message>
    <message>
        <source>Business registration</source>
        <translation>工商登记</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>BasicsStep</name>
    <message>
        <source>Kind of visit</source>
        <translation>走访类型</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <source>People present</source>
        <translation>在场人员</translation>
    </message>
    <message>
        <source>Visitor %1</source>
        <translation>走访人 %1</translation>
    </message>
    <message>
        <source>Account of another visitor</source>
        <translation>另一名走访人的账号</translation>
    </message>
    <message>
        <source>Add visitor</source>
        <translation>添加走访人</translation>
    </message>
    <message>
        <source>Names, separated by commas</source>
        <translation>姓名，用逗号分隔</translation>
    </message>
</context>
<context>
    <name>CameraDialog</name>
    <message>
        <source>Take photos</source>
        <extracomment>JPEG quality of a captured frame before the import re-encodes it (kept high: it is recompressed once more after downscaling)</extracomment>
        <translation>拍照</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>拍照</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message numerus="yes">
        <source>%n photo(s) taken</source>
        <translation>
            <numerusform>已拍 %n 张照片</numerusform>
        </translation>
    </message>
    <message>
        <source>The photo could not be taken: %1</source>
        <translation>未能拍照：%1</translation>
    </message>
    <message>
        <source>The camera cannot be used: %1</source>
        <translation>无法使用摄像头：%1</translation>
    </message>
</context>
<context>
    <name>CluesPage</name>
    <message>
        <source>Clue ledger</source>
        <translation>线索台账</translation>
    </message>
    <message>
        <source>Check this clue…</source>
        <translation>核实此线索…</translation>
    </message>
    <message>
        <source>Leads from data comparison about members of my households. Each one is closed as confirmed or refuted through a clue-check visit.</source>
        <translation>大数据比对发现的本人负责家庭成员的疑似问题线索。每条线索须经线索核实走访，核定为查实或查否后销号。</translation>
    </message>
    <message>
        <source>Found on</source>
        <translation>发现日期</translation>
    </message>
    <message>
        <source>Clue</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Head of household</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
</context>
<context>
    <name>ConditionsStep</name>
    <message>
        <source>Housing conditions</source>
        <translation>住房情况</translation>
    </message>
    <message>
        <source>Living conditions</source>
        <translation>生活状况</translation>
    </message>
    <message>
        <source>Neighbour interviews</source>
        <translation>邻里访问</translation>
    </message>
    <message>
        <source>Structure, size, ownership, state of repair…</source>
        <translation>结构、面积、产权、房屋状况…</translation>
    </message>
    <message>
        <source>Furniture, appliances, food, heating…</source>
        <translation>家具、家电、饮食、取暖…</translation>
    </message>
</context>
<context>
    <name>ConflictsPage</name>
    <message>
        <source>Conflicts</source>
        <extracomment>columns of the field table</extracomment>
        <translation>冲突处理</translation>
    </message>
    <message>
        <source>Two people changed the same field before their laptops synced. For each field keep the value the server kept, take the other one, or enter a merged value; every laptop then receives the decided record.</source>
        <translation>两人在同步前修改了同一项目。请逐项选择保留服务器现值、采用另一方的值或填写合并后的值；确定后各台电脑都会收到处理后的记录。</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <source>Head of household</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Fields</source>
        <translation>冲突项目</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Value the server kept</source>
        <translation>服务器现值</translation>
    </message>
    <message>
        <source>Other value</source>
        <translation>另一方的值</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <source>Merged value</source>
        <translation>合并后的值</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>确定处理</translation>
    </message>
    <message>
        <source>Household</source>
        <translation>家庭</translation>
    </message>
    <message>
        <source>Family member</source>
        <translation>家庭成员</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>走访记录</translation>
    </message>
    <message>
        <source>(not synced yet)</source>
        <translation>（尚未同步到本机）</translation>
    </message>
    <message>
        <source>Choose a conflict from the list.</source>
        <translation>请从左侧列表选择一条冲突。</translation>
    </message>
    <message>
        <source>Keep the server&apos;s value</source>
        <translation>保留服务器现值</translation>
    </message>
    <message>
        <source>Take the other value</source>
        <translation>采用另一方的值</translation>
    </message>
    <message>
        <source>Enter a merged value</source>
        <translation>填写合并后的值</translation>
    </message>
    <message>
        <source>Merged value (JSON)</source>
        <translation>合并后的值（JSON）</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Progress</source>
        <extracomment>the day the six-month window ends (None: today); the screenshots pin it</extracomment>
        <translation>工作进度</translation>
    </message>
    <message>
        <source>Grids, findings and clues: from the region&apos;s records synced to this laptop (last six months). Agencies and reviews due: from the server.</source>
        <translation>网格、核查结论和线索：依据同步到本机的辖区记录（近六个月）；机构进度和待审核数：来自服务器。</translation>
    </message>
    <message>
        <source>Reviews due: –</source>
        <translation>待审核：–</translation>
    </message>
    <message>
        <source>Found ineligible: –</source>
        <translation>认定不符合：–</translation>
    </message>
    <message>
        <source>Open clues: –</source>
        <translation>未销号线索：–</translation>
    </message>
    <message>
        <source>Reviews due: %1</source>
        <translation>待审核：%1</translation>
    </message>
    <message>
        <source>Found ineligible: %1%</source>
        <translation>认定不符合：%1%</translation>
    </message>
    <message>
        <source>Open clues: %1</source>
        <translation>未销号线索：%1</translation>
    </message>
    <message>
        <source>Planned</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Visits per grid: done vs planned</source>
        <translation>各网格走访：已完成 / 计划</translation>
    </message>
    <message>
        <source>Agency tasks: households visited vs assigned</source>
        <translation>机构任务：已走访 / 已分派</translation>
    </message>
    <message>
        <source>Visits with a finding</source>
        <translation>有结论的走访</translation>
    </message>
    <message>
        <source>Found ineligible</source>
        <translation>认定不符合</translation>
    </message>
    <message>
        <source>Findings by month</source>
        <translation>各月核查结论</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>新增</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已销号</translation>
    </message>
    <message>
        <source>Clues opened vs closed by month</source>
        <translation>各月线索：新增 / 销号</translation>
    </message>
</context>
<context>
    <name>DiscoveryDialog</name>
    <message>
        <source>Record a family found in the field</source>
        <translation>登记主动发现的困难家庭</translation>
    </message>
    <message>
        <source>A family in hardship that is not yet on the list. After saving, a discovery visit opens to record its members, incomes and living conditions.</source>
        <translation>尚未纳入台账的困难家庭。保存后将打开“主动发现”走访，继续登记家庭成员、收入和生活状况。</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Head of household</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Registered residence</source>
        <translation>户籍地</translation>
    </message>
    <message>
        <source>Actual residence</source>
        <translation>居住地</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Record and start the visit</source>
        <translation>登记并开始走访</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>No grid is assigned to this account yet; sync first.</source>
        <translation>本账号尚未分配网格，请先同步。</translation>
    </message>
    <message>
        <source>Enter the head of household&apos;s name and the address.</source>
        <translation>请填写户主姓名和住址。</translation>
    </message>
</context>
<context>
    <name>EligibilityPanel</name>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>This app&apos;s policy (%1) differs from the server&apos;s (%2): the server will recompute the result. Update the app.</source>
        <translation>本软件使用的救助标准（%1）与服务器的（%2）不一致：服务器将重新核算结果。请更新软件。</translation>
    </message>
    <message>
        <source>Eligibility as entered</source>
        <translation>按已录入信息核定</translation>
    </message>
    <message>
        <source>Enter the family members to see the result.</source>
        <translation>录入家庭成员后显示核定结果。</translation>
    </message>
    <message>
        <source>Per-capita income %1 yuan/month
Monthly benefit %2 yuan</source>
        <translation>人均月收入 %1 元
月救助金额 %2 元</translation>
    </message>
</context>
<context>
    <name>ExpensesStep</name>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Kind of expense</source>
        <translation>支出类型</translation>
    </message>
    <message>
        <source>Per month (yuan)</source>
        <translation>每月（元）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Add expense</source>
        <translation>添加支出</translation>
    </message>
    <message>
        <source>Medical</source>
        <translation>医疗</translation>
    </message>
    <message>
        <source>Education</source>
        <translation>教育</translation>
    </message>
    <message>
        <source>Necessary cost of working</source>
        <translation>必要就业成本</translation>
    </message>
</context>
<context>
    <name>FindingStep</name>
    <message>
        <source>Notice of duties</source>
        <translation>告知书（承诺书）</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>核查结论</translation>
    </message>
    <message>
        <source>Reasons for the finding</source>
        <translation>结论理由</translation>
    </message>
    <message>
        <source>Outcome of the clues checked</source>
        <translation>线索核实结果</translation>
    </message>
    <message>
        <source>The household was told in writing: any change in family members, income or property must be reported within one month; obtaining assistance by fraud is prosecuted according to law.</source>
        <translation>已书面告知申请家庭：家庭人口、收入、财产状况发生变化的，须在一个月内主动申报；以虚报、隐瞒等手段骗取救助的，将依法追究责任。</translation>
    </message>
    <message>
        <source>The notice of duties was read and signed</source>
        <translation>告知书已宣读并签字</translation>
    </message>
    <message>
        <source>Clue</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Not decided</source>
        <translation>尚未确定</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Households in my grids</source>
        <translation>我的网格内家庭</translation>
    </message>
    <message>
        <source>Reviews due within 30 days</source>
        <translation>30天内到期复核</translation>
    </message>
    <message>
        <source>Open clues</source>
        <translation>待核实线索</translation>
    </message>
    <message>
        <source>Open tasks</source>
        <translation>进行中的任务</translation>
    </message>
    <message>
        <source>Reviews falling due</source>
        <translation>即将到期的复核</translation>
    </message>
    <message>
        <source>Returned for correction</source>
        <translation>退回待修改</translation>
    </message>
    <message>
        <source>Visit date</source>
        <translation>走访日期</translation>
    </message>
    <message>
        <source>Comments</source>
        <translation>意见</translation>
    </message>
    <message>
        <source>Found on</source>
        <translation>发现日期</translation>
    </message>
    <message>
        <source>Clue</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>My tasks</source>
        <translation>我的核查任务</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>截止日期</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message numerus="yes">
        <source>%n comment(s)</source>
        <translation>
            <numerusform>%n 条意见</numerusform>
        </translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Next review</source>
        <translation>下次复核</translation>
    </message>
    <message>
        <source>Head of household</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Welcome, %1</source>
        <translation>%1，您好</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <source>(overdue)</source>
        <translation>（已逾期）</translation>
    </message>
    <message>
        <source>%1 of %2 households visited (%3%)</source>
        <translation>已走访 %1/%2 户（%3%）</translation>
    </message>
</context>
<context>
    <name>HouseholdFileView</name>
    <message>
        <source>Household list</source>
        <translation>家庭列表</translation>
    </message>
    <message>
        <source>New visit</source>
        <translation>新建走访</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Registered residence</source>
        <translation>户籍地</translation>
    </message>
    <message>
        <source>Actual residence</source>
        <translation>居住地</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Next review</source>
        <translation>下次复核</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Relation</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>年龄</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康状况</translation>
    </message>
    <message>
        <source>Disability</source>
        <translation>残疾</translation>
    </message>
    <message>
        <source>Labour capacity</source>
        <translation>劳动能力</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>修订版</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>核查结论</translation>
    </message>
    <message>
        <source>Clue</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>家庭成员</translation>
    </message>
    <message>
        <source>Visits</source>
        <translation>走访记录</translation>
    </message>
    <message>
        <source>Clues</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Eligibility</source>
        <translation>救助资格</translation>
    </message>
    <message>
        <source>(lives away from registered residence)</source>
        <translation>（人户分离）</translation>
    </message>
    <message>
        <source>Grade %1</source>
        <translation>%1级</translation>
    </message>
    <message>
        <source>No visit with family data yet.</source>
        <translation>尚无包含家庭信息的走访记录。</translation>
    </message>
    <message>
        <source>Result: %1 (as of %2)</source>
        <translation>核定结果：%1（核定日期 %2）</translation>
    </message>
    <message>
        <source>Per-capita income %1 yuan/month · monthly benefit %2 yuan · policy %3</source>
        <translation>人均月收入 %1 元 · 月救助金额 %2 元 · 适用政策 %3</translation>
    </message>
</context>
<context>
    <name>HouseholdListPage</name>
    <message>
        <source>Task: %1</source>
        <extracomment>&quot;review due&quot; filter choices: days ahead of today (0 = overdue or due today)</extracomment>
        <translation>任务：%1</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>家庭</translation>
    </message>
    <message>
        <source>Family found in the field…</source>
        <translation>主动发现…</translation>
    </message>
    <message>
        <source>Show all households</source>
        <translation>显示全部家庭</translation>
    </message>
    <message>
        <source>Search name, ID number or address</source>
        <translation>按姓名、身份证号或住址搜索</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Any review date</source>
        <translation>复核日期不限</translation>
    </message>
    <message>
        <source>Review overdue</source>
        <translation>复核已到期</translation>
    </message>
    <message>
        <source>Review within 30 days</source>
        <translation>30天内复核</translation>
    </message>
    <message>
        <source>Review within 90 days</source>
        <translation>90天内复核</translation>
    </message>
    <message>
        <source>Grid %1</source>
        <translation>第%1网格</translation>
    </message>
    <message>
        <source>All grids</source>
        <translation>全部网格</translation>
    </message>
    <message>
        <source>%1 of %2 households</source>
        <translation>显示 %1 户，共 %2 户</translation>
    </message>
</context>
<context>
    <name>HouseholdTableModel</name>
    <message>
        <source>Head of household</source>
        <extracomment>the read model of a row (for views and the household file) a sortable key (dates as ISO strings, counts as ints)</extracomment>
        <translation>户主</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>家庭成员</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>救助类别</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Next review</source>
        <translation>下次复核</translation>
    </message>
    <message>
        <source>Open clues</source>
        <translation>待核实线索</translation>
    </message>
</context>
<context>
    <name>IncomesStep</name>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Kind of income</source>
        <translation>收入类型</translation>
    </message>
    <message>
        <source>Per month (yuan)</source>
        <translation>每月（元）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Add income</source>
        <translation>添加收入</translation>
    </message>
    <message>
        <source>Wages</source>
        <translation>工资性收入</translation>
    </message>
    <message>
        <source>Business income</source>
        <translation>经营净收入</translation>
    </message>
    <message>
        <source>Property income</source>
        <translation>财产净收入</translation>
    </message>
    <message>
        <source>Pension</source>
        <translation>养老金</translation>
    </message>
    <message>
        <source>Transfers (support from relatives)</source>
        <translation>转移净收入（赡养费等）</translation>
    </message>
    <message>
        <source>Farming</source>
        <translation>农业收入</translation>
    </message>
    <message>
        <source>Assistance payments</source>
        <translation>救助金</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>InterviewsEditor</name>
    <message>
        <source>Interviewed</source>
        <translation>被访问人</translation>
    </message>
    <message>
        <source>Relation</source>
        <translation>与该户关系</translation>
    </message>
    <message>
        <source>What they said</source>
        <translation>访问内容</translation>
    </message>
    <message>
        <source>Add interview</source>
        <translation>添加邻里访问</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Not assessed</source>
        <translation>未核定</translation>
    </message>
    <message>
        <source>Extreme poverty</source>
        <translation>特困</translation>
    </message>
    <message>
        <source>Minimum living</source>
        <translation>低保</translation>
    </message>
    <message>
        <source>Low income</source>
        <translation>低收入</translation>
    </message>
    <message>
        <source>Expenditure hardship</source>
        <translation>支出型困难</translation>
    </message>
    <message>
        <source>Not eligible</source>
        <translation>不符合条件</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>在保</translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation>停保</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已退出</translation>
    </message>
    <message>
        <source>Application survey</source>
        <translation>申请家计调查</translation>
    </message>
    <message>
        <source>Periodic review</source>
        <translation>定期复核</translation>
    </message>
    <message>
        <source>Clue check</source>
        <translation>线索核实</translation>
    </message>
    <message>
        <source>Welfare visit</source>
        <translation>困难人员访视</translation>
    </message>
    <message>
        <source>Discovery</source>
        <translation>主动发现</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Synced</source>
        <translation>已同步</translation>
    </message>
    <message>
        <source>Under review</source>
        <translation>审核中</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已通过</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>Revised</source>
        <translation>已修订</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>Spouse</source>
        <translation>配偶</translation>
    </message>
    <message>
        <source>Child</source>
        <translation>子女</translation>
    </message>
    <message>
        <source>Parent</source>
        <translation>父母</translation>
    </message>
    <message>
        <source>Grandchild</source>
        <translation>孙子女</translation>
    </message>
    <message>
        <source>Grandparent</source>
        <translation>祖父母</translation>
    </message>
    <message>
        <source>Sibling</source>
        <translation>兄弟姐妹</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>Chronic illness</source>
        <translation>慢性病</translation>
    </message>
    <message>
        <source>Serious illness</source>
        <translation>重病</translation>
    </message>
    <message>
        <source>Full labour capacity</source>
        <translation>完全劳动能力</translation>
    </message>
    <message>
        <source>Partial labour capacity</source>
        <translation>部分劳动能力</translation>
    </message>
    <message>
        <source>No labour capacity</source>
        <translation>无劳动能力</translation>
    </message>
    <message>
        <source>Business registration</source>
        <translation>工商登记</translation>
    </message>
    <message>
        <source>Relative on public payroll</source>
        <translation>财政供养人员亲属</translation>
    </message>
    <message>
        <source>Real estate</source>
        <translation>房产</translation>
    </message>
    <message>
        <source>Vehicle</source>
        <translation>车辆</translation>
    </message>
    <message>
        <source>Death</source>
        <translation>死亡</translation>
    </message>
    <message>
        <source>Imprisonment</source>
        <translation>服刑</translation>
    </message>
    <message>
        <source>Large deposit</source>
        <translation>大额存款</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>待核实</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>查实</translation>
    </message>
    <message>
        <source>Refuted</source>
        <translation>查否</translation>
    </message>
    <message>
        <source>No finding yet</source>
        <translation>尚无结论</translation>
    </message>
    <message>
        <source>Eligible</source>
        <translation>符合</translation>
    </message>
    <message>
        <source>Ineligible</source>
        <translation>不符合</translation>
    </message>
    <message>
        <source>Doubtful</source>
        <translation>存疑</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>Not allowed to change this record</source>
        <translation>无权修改此记录</translation>
    </message>
    <message>
        <source>The server has no such record</source>
        <translation>服务器上没有此记录</translation>
    </message>
    <message>
        <source>The server has no such household</source>
        <translation>服务器上没有此户</translation>
    </message>
    <message>
        <source>Based on a version the server never had</source>
        <translation>所依据的版本服务器上不存在</translation>
    </message>
    <message>
        <source>The record was deleted on the server</source>
        <translation>此记录已在服务器上删除</translation>
    </message>
    <message>
        <source>A completed visit cannot change; make a revision</source>
        <translation>已完成的走访不能修改，请另建修订</translation>
    </message>
    <message>
        <source>The change has fields the server does not take</source>
        <translation>修改包含服务器不接受的字段</translation>
    </message>
    <message>
        <source>This kind of record cannot be sent</source>
        <translation>此类记录不能由设备提交</translation>
    </message>
    <message>
        <source>The change comes from another device</source>
        <translation>修改来自其他设备</translation>
    </message>
    <message>
        <source>The change is too large to send</source>
        <translation>修改过大，无法提交</translation>
    </message>
    <message>
        <source>Refused by the server (%1)</source>
        <translation>被服务器拒绝（%1）</translation>
    </message>
</context>
<context>
    <name>LeaseLapsedBanner</name>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>This laptop&apos;s clock was turned back</source>
        <translation>电脑时间被调回过</translation>
    </message>
    <message>
        <source>The clock shows a time earlier than this laptop has already seen, so household data is locked. Correct the date and time, then sync.</source>
        <translation>电脑时间早于本机已使用过的时间，户数据已锁定。请校正日期和时间后同步。</translation>
    </message>
    <message>
        <source>Offline lease lapsed</source>
        <translation>离线授权已过期</translation>
    </message>
    <message>
        <source>This laptop has not synced for too long, so household data is locked until it syncs with the server again.</source>
        <translation>本机太久未同步，户数据已锁定，与服务器同步后即可继续使用。</translation>
    </message>
    <message numerus="yes">
        <source>%n household(s) of your tasks were removed from this laptop.</source>
        <translation>
            <numerusform>已从本机清除任务中的 %n 户。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Kept on this laptop, locked, until their unsent work is synced (then removed): %n household(s) of your tasks.</source>
        <translation>
            <numerusform>%n 户因有未上传的工作暂留本机（已锁定），工作同步后即清除。</numerusform>
        </translation>
    </message>
    <message>
        <source>No household of your tasks is left on this laptop.</source>
        <translation>本机已没有您任务中的户。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Jiafang – home visits</source>
        <extracomment>the newest autosaved visit form found after a crash (waiting to be sent, conflicts, rejected) the household left the user&apos;s reach (a closed task): only this form keeps it here the server&apos;s password check that lifts the offline lock-out (None: no server) background sync; None runs the app without a server (demo mode, most tests) the open &quot;family found in the field&quot; dialog, if any (tests drive it) reviews, dashboards, tasks, spot checks by role; returned visits for authors</extracomment>
        <translation>家访 – 社会救助入户核查</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>This installation has no server to sign in with.</source>
        <translation>当前安装未配置服务器，无法联网登录。</translation>
    </message>
    <message>
        <source>Wrong password.</source>
        <translation>密码错误。</translation>
    </message>
    <message>
        <source>An unsaved visit draft was recovered. This household is no longer in your tasks: finish or discard the visit; its data is removed from this laptop once the pending work is synced.</source>
        <translation>已恢复未保存的走访草稿。此户已不在您的任务中：请完成或放弃本次走访；未上传的工作同步后，其数据将从本机删除。</translation>
    </message>
    <message>
        <source>An unsaved visit draft was recovered.</source>
        <translation>已恢复一份未保存的走访草稿。</translation>
    </message>
    <message>
        <source>The visit was completed and locked.</source>
        <translation>走访记录已完成并锁定。</translation>
    </message>
    <message>
        <source>The typing was discarded; the household is removed at the next sync.</source>
        <translation>已放弃填写的内容；下次同步时将从本机删除此户。</translation>
    </message>
    <message>
        <source>The server did not accept the saved sign-in; lock and unlock with your current password.</source>
        <translation>服务器未接受已保存的登录凭据，请锁定后用当前密码重新解锁。</translation>
    </message>
    <message>
        <source>This version of Jiafang is too old for the server; please update it.</source>
        <translation>当前家访版本过旧，服务器不再接受，请升级。</translation>
    </message>
    <message>
        <source>This laptop&apos;s access was revoked by the administrator; its data was erased.</source>
        <translation>本机的访问权限已被管理员撤销，本机数据已清除。</translation>
    </message>
</context>
<context>
    <name>MembersStep</name>
    <message>
        <source>No disability</source>
        <translation>无残疾</translation>
    </message>
    <message>
        <source>Grade %1</source>
        <translation>%1级</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>Relation to head</source>
        <translation>与户主关系</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康状况</translation>
    </message>
    <message>
        <source>Disability</source>
        <translation>残疾</translation>
    </message>
    <message>
        <source>Labour capacity</source>
        <translation>劳动能力</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>添加成员</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Employed</source>
        <translation>已就业</translation>
    </message>
    <message>
        <source>Lives with the family</source>
        <translation>与家庭共同生活</translation>
    </message>
    <message>
        <source>Has a legal supporter able to support them</source>
        <translation>有具备赡养/抚养/扶养能力的法定义务人</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（未填姓名）</translation>
    </message>
    <message>
        <source>Born %1 · %2 · %3 years old</source>
        <translation>出生 %1 · %2 · %3 岁</translation>
    </message>
</context>
<context>
    <name>PhotosStep</name>
    <message>
        <source>Photos</source>
        <extracomment>by signer: &quot;household&quot; or a visitor&apos;s account as entered in the basics step the visitors listed in the basics step, in order (&quot;&quot; for a slot not filled in yet)</extracomment>
        <translation>照片</translation>
    </message>
    <message>
        <source>Signatures</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>Import photos…</source>
        <translation>导入照片…</translation>
    </message>
    <message>
        <source>Location and camera data are removed and photos are reduced to a few hundred KB before they are stored, encrypted.</source>
        <translation>照片在加密保存前会去除位置和相机信息，并压缩到几百 KB。</translation>
    </message>
    <message>
        <source>Signature of the household</source>
        <translation>被访家庭签名</translation>
    </message>
    <message>
        <source>Keep signature</source>
        <translation>保存签名</translation>
    </message>
    <message>
        <source>Take photo…</source>
        <translation>拍照…</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Signature of visitor %1</source>
        <translation>走访人 %1 签名</translation>
    </message>
    <message>
        <source>Visitor %1: enter their account in step 1 to sign here.</source>
        <translation>走访人 %1：在第 1 步填写其账号后在此签名。</translation>
    </message>
    <message>
        <source>the household</source>
        <translation>被访家庭</translation>
    </message>
    <message>
        <source>Still to sign and keep: %1</source>
        <translation>尚未签名并保存：%1</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>已签名</translation>
    </message>
    <message>
        <source>Import photos</source>
        <translation>导入照片</translation>
    </message>
    <message>
        <source>Pictures (*.jpg *.jpeg *.png *.heic)</source>
        <translation>图片 (*.jpg *.jpeg *.png *.heic)</translation>
    </message>
</context>
<context>
    <name>RegistrationPage</name>
    <message>
        <source>Register this laptop</source>
        <translation>登记本机</translation>
    </message>
    <message>
        <source>Sign in once with your work account while online. Your data on this laptop is then encrypted with your password and works offline.</source>
        <translation>请在联网时用工作账号登录一次。之后本机数据将用您的密码加密，可离线使用。</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>确认密码</translation>
    </message>
    <message>
        <source>There is no way to recover data if the password is forgotten.</source>
        <translation>忘记密码将无法恢复本机数据。</translation>
    </message>
    <message>
        <source>Register and create vault</source>
        <translation>登记并创建加密库</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Registering…</source>
        <translation>正在登记…</translation>
    </message>
    <message>
        <source>Enter the server address and your account.</source>
        <translation>请填写服务器地址和账号。</translation>
    </message>
    <message>
        <source>The password needs at least %1 characters.</source>
        <translation>密码至少需要 %1 个字符。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>ReturnedVisitsPage</name>
    <message>
        <source>Visit date</source>
        <translation>走访日期</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>revision %1</source>
        <extracomment>column of the member&apos;s ID number in the household file&apos;s member table</extracomment>
        <translation>第%1版</translation>
    </message>
    <message>
        <source>Returned visits</source>
        <translation>退回修改</translation>
    </message>
    <message>
        <source>A reviewer sent these visits back with comments. Revising one opens a new revision with the comments shown at their fields; the returned one is kept.</source>
        <translation>审核人员已将这些走访记录连同意见退回。点击修改将新建一个版本，意见显示在对应项目旁；退回的版本保留存档。</translation>
    </message>
    <message>
        <source>Revision</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Revise</source>
        <translation>修改</translation>
    </message>
</context>
<context>
    <name>ReviewCommentsBar</name>
    <message>
        <source>The reviewer commented on this step</source>
        <extracomment>top-level visit field -&gt; index of the form step that edits it</extracomment>
        <translation>审核人员对此步骤提出了意见</translation>
    </message>
    <message>
        <source>Returned by the reviewer: correct the marked fields and complete again</source>
        <translation>审核退回：请修改标出的项目后重新完成</translation>
    </message>
    <message numerus="yes">
        <source>%n more comment(s) on other steps (marked in yellow)</source>
        <translation>
            <numerusform>另有 %n 条意见在其他步骤（黄色标出）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewFields</name>
    <message>
        <source>Visitors</source>
        <translation>走访人员</translation>
    </message>
    <message>
        <source>Started at</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Ended at</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <source>People present</source>
        <translation>在场人员</translation>
    </message>
    <message>
        <source>Housing conditions</source>
        <translation>住房情况</translation>
    </message>
    <message>
        <source>Living conditions</source>
        <translation>生活状况</translation>
    </message>
    <message>
        <source>Family members</source>
        <translation>家庭成员</translation>
    </message>
    <message>
        <source>Incomes</source>
        <translation>收入</translation>
    </message>
    <message>
        <source>Assets</source>
        <translation>财产</translation>
    </message>
    <message>
        <source>Expenses</source>
        <translation>支出</translation>
    </message>
    <message>
        <source>Neighbour interviews</source>
        <translation>邻里走访</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Notice of duties signed</source>
        <translation>已签告知书</translation>
    </message>
    <message>
        <source>Signatures</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>核查结论</translation>
    </message>
    <message>
        <source>Reasons for the finding</source>
        <translation>结论理由</translation>
    </message>
    <message>
        <source>Employment reported on</source>
        <translation>就业申报日期</translation>
    </message>
    <message>
        <source>Clues</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Eligibility result</source>
        <translation>认定结果</translation>
    </message>
    <message>
        <source>Visit date</source>
        <translation>走访日期</translation>
    </message>
    <message>
        <source>Kind of visit</source>
        <translation>走访类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>monthly amount</source>
        <translation>月金额</translation>
    </message>
    <message>
        <source>type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>relation</source>
        <translation>关系</translation>
    </message>
    <message>
        <source>health</source>
        <translation>健康状况</translation>
    </message>
    <message>
        <source>disability grade</source>
        <translation>残疾等级</translation>
    </message>
    <message>
        <source>labour capacity</source>
        <translation>劳动能力</translation>
    </message>
    <message>
        <source>for a disability</source>
        <translation>残疾用途</translation>
    </message>
    <message>
        <source>signer</source>
        <translation>签名人</translation>
    </message>
    <message>
        <source>signed at</source>
        <translation>签名时间</translation>
    </message>
    <message>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>value</source>
        <translation>价值</translation>
    </message>
    <message>
        <source>note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>ID number</source>
        <translation>身份证号</translation>
    </message>
    <message>
        <source>description</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>statement</source>
        <translation>陈述</translation>
    </message>
    <message>
        <source>head of household</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>address</source>
        <translation>住址</translation>
    </message>
    <message>
        <source>registered residence</source>
        <translation>户籍地</translation>
    </message>
    <message>
        <source>actual residence</source>
        <translation>居住地</translation>
    </message>
    <message>
        <source>phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>household</source>
        <translation>户</translation>
    </message>
    <message>
        <source>employed</source>
        <translation>就业</translation>
    </message>
    <message>
        <source>employment</source>
        <translation>就业情况</translation>
    </message>
    <message>
        <source>schooling</source>
        <translation>就学情况</translation>
    </message>
    <message>
        <source>special status</source>
        <translation>特殊身份</translation>
    </message>
    <message>
        <source>lives with the family</source>
        <translation>与家庭共同生活</translation>
    </message>
    <message>
        <source>has an able supporter</source>
        <translation>有赡养（抚养、扶养）能力的义务人</translation>
    </message>
    <message>
        <source>item %1</source>
        <translation>第%1项</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>policy</source>
        <translation>政策</translation>
    </message>
    <message>
        <source>policy version</source>
        <translation>政策版本</translation>
    </message>
    <message>
        <source>assistance category</source>
        <translation>救助类别</translation>
    </message>
    <message>
        <source>household size</source>
        <translation>家庭人数</translation>
    </message>
    <message>
        <source>counted income</source>
        <translation>计算收入</translation>
    </message>
    <message>
        <source>per-capita income</source>
        <translation>人均收入</translation>
    </message>
    <message>
        <source>per-capita monetary assets</source>
        <translation>人均货币财产</translation>
    </message>
    <message>
        <source>monthly benefit</source>
        <translation>月救助金额</translation>
    </message>
    <message>
        <source>next review</source>
        <translation>下次复核</translation>
    </message>
    <message>
        <source>review interval</source>
        <translation>复核间隔</translation>
    </message>
    <message>
        <source>benefit taper</source>
        <translation>渐退安排</translation>
    </message>
</context>
<context>
    <name>ReviewQueuePage</name>
    <message>
        <source>Reviews</source>
        <extracomment>the queue column with the server&apos;s verdict on the device signature outcomes of the server&apos;s eligibility recomputation (sync.server.recompute.Outcome)</extracomment>
        <translation>审核</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Visit date</source>
        <translation>走访日期</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Server check</source>
        <translation>复算</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>设备签名</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Previous visit</source>
        <translation>上次走访</translation>
    </message>
    <message>
        <source>This visit</source>
        <translation>本次走访</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>变化</translation>
    </message>
    <message>
        <source>Photos and signatures</source>
        <translation>照片与签名</translation>
    </message>
    <message>
        <source>History</source>
        <translation>审核记录</translation>
    </message>
    <message>
        <source>Comment on</source>
        <translation>意见针对</translation>
    </message>
    <message>
        <source>What must the author check or correct?</source>
        <translation>请写明需要核实或修改的内容</translation>
    </message>
    <message>
        <source>Add comment</source>
        <translation>添加意见</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>审核通过</translation>
    </message>
    <message>
        <source>Return for correction</source>
        <translation>退回修改</translation>
    </message>
    <message>
        <source>Agrees</source>
        <translation>一致</translation>
    </message>
    <message>
        <source>Differs</source>
        <translation>不一致</translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation>未核验</translation>
    </message>
    <message>
        <source>Verified ✔</source>
        <translation>已验证 ✔</translation>
    </message>
    <message>
        <source>Not verified</source>
        <translation>未通过验证</translation>
    </message>
    <message>
        <source>Choose a visit from the queue.</source>
        <translation>请从左侧列表选择一条走访记录。</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · revision %4</source>
        <translation>%1 · %2 · %3 · 第%4版</translation>
    </message>
    <message>
        <source>The server has not recomputed this visit yet.</source>
        <translation>服务器尚未复算此次走访的认定结果。</translation>
    </message>
    <message>
        <source>The server&apos;s recomputation agrees with the laptop.</source>
        <translation>服务器复算结果与本机一致。</translation>
    </message>
    <message>
        <source>The server&apos;s recomputation differs: %1</source>
        <translation>服务器复算结果不一致：%1</translation>
    </message>
    <message>
        <source>Changes (first visit)</source>
        <translation>变化（首次走访）</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Household</source>
        <translation>户主/家庭</translation>
    </message>
    <message>
        <source>Signature: %1</source>
        <translation>签名：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n attachment(s) not on this laptop yet</source>
        <translation>
            <numerusform>%n 个附件尚未下载到本机</numerusform>
        </translation>
    </message>
    <message>
        <source>%1  revision %2: %3</source>
        <translation>%1  版本 %2：%3</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>审核通过</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>Head of household</source>
        <translation>户主</translation>
    </message>
    <message>
        <source>(not synced yet)</source>
        <translation>（尚未同步到本机）</translation>
    </message>
    <message>
        <source>Not compared</source>
        <translation>未比对</translation>
    </message>
    <message>
        <source>The laptop sent no eligibility result; the server could not compare.</source>
        <translation>本机未提交认定结果，服务器无法比对。</translation>
    </message>
    <message>
        <source>The server could not recompute this visit (%1).</source>
        <translation>服务器未能复算此次走访（%1）。</translation>
    </message>
    <message>
        <source>Print form (PDF)</source>
        <translation>打印走访表（PDF）</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Device signature verified ✔ (device %1)</source>
        <translation>设备签名已验证 ✔（设备 %1）</translation>
    </message>
    <message>
        <source>Device signature: not checked by the server yet.</source>
        <translation>设备签名：服务器尚未核验。</translation>
    </message>
    <message>
        <source>Warning: the device signature does not match. This visit may have been altered after it was completed on device %1; do not approve it without checking.</source>
        <translation>警告：设备签名不符。此走访记录在设备 %1 上完成后可能被改动，请核实后再审核通过。</translation>
    </message>
    <message>
        <source>Warning: this visit carries no device signature; it cannot be traced to a laptop.</source>
        <translation>警告：此走访记录没有设备签名，无法追溯到具体电脑。</translation>
    </message>
    <message>
        <source>Warning: the visit is signed by device %1, which the server does not know.</source>
        <translation>警告：此走访记录由设备 %1 签名，服务器上没有该设备。</translation>
    </message>
    <message>
        <source>Warning: the device signature could not be verified (%1).</source>
        <translation>警告：设备签名无法核验（%1）。</translation>
    </message>
    <message>
        <source>Save the visit form</source>
        <translation>保存走访表</translation>
    </message>
</context>
<context>
    <name>RowsStep</name>
    <message>
        <source>Remove this row</source>
        <translation>删除此行</translation>
    </message>
    <message>
        <source>Whole household</source>
        <translation>全户</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（未填姓名）</translation>
    </message>
    <message>
        <source>yuan</source>
        <translation>元</translation>
    </message>
</context>
<context>
    <name>SpotCheckPage</name>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Random spot checks</source>
        <translation>双随机抽查</translation>
    </message>
    <message>
        <source>Approved households and inspectors are both drawn at random on the server. The seed is recorded with the draw, so anyone can replay it and get the same sample; each inspector&apos;s share becomes a task.</source>
        <translation>服务器随机抽取已审核家庭，并随机选派检查人员（双随机）。随机种子随抽取结果一并记录，任何人重放均得到相同样本；每名检查人员的份额生成一项任务。</translation>
    </message>
    <message>
        <source>New draw</source>
        <translation>新的抽查</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>户数</translation>
    </message>
    <message>
        <source>Inspectors</source>
        <translation>检查人员</translation>
    </message>
    <message>
        <source>Seed (blank: random)</source>
        <translation>随机种子（留空则随机）</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>截止日期</translation>
    </message>
    <message>
        <source>Draw</source>
        <translation>抽取</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Drawn at</source>
        <translation>抽取时间</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Sample</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>核查任务</translation>
    </message>
    <message>
        <source>Reproducible</source>
        <translation>可重现</translation>
    </message>
    <message>
        <source>Enter the region to draw from.</source>
        <translation>请填写抽取范围（区域编号）。</translation>
    </message>
    <message>
        <source>Seed: –</source>
        <translation>随机种子：–</translation>
    </message>
    <message>
        <source>Seed: %1</source>
        <translation>随机种子：%1</translation>
    </message>
    <message>
        <source>%1 of %2 approved households drawn, %3 inspector(s), %4 task(s) created. Replayed from the seed: %5</source>
        <translation>从 %2 户已审核家庭中抽取 %1 户，%3 名检查人员，生成 %4 项任务。按种子重放：%5</translation>
    </message>
    <message>
        <source>same sample</source>
        <translation>同一样本</translation>
    </message>
    <message>
        <source>DIFFERS</source>
        <translation>不一致</translation>
    </message>
</context>
<context>
    <name>SupervisionSection</name>
    <message>
        <source>Reviews</source>
        <extracomment>the pages were emptied by a lapsed lease and wait for the data to come back</extracomment>
        <translation>审核</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突处理</translation>
    </message>
    <message>
        <source>Dashboards</source>
        <translation>统计图表</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>核查任务</translation>
    </message>
    <message>
        <source>Spot checks</source>
        <translation>双随机抽查</translation>
    </message>
    <message>
        <source>Returned visits</source>
        <translation>退回修改</translation>
    </message>
    <message>
        <source>Supervision</source>
        <translation>监督管理</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <source>The household is no longer in your tasks; dismiss the change to remove it from this laptop</source>
        <translation>此户已不在您的任务中；移除此修改后，该户将从本机删除</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Conflicts: the same field changed in two places</source>
        <translation>冲突：同一字段在两处被修改</translation>
    </message>
    <message>
        <source>Household</source>
        <translation>家庭</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value kept by the server</source>
        <translation>服务器保留的值</translation>
    </message>
    <message>
        <source>Other value</source>
        <translation>另一处的值</translation>
    </message>
    <message>
        <source>Changes the server refused</source>
        <translation>服务器拒绝的修改</translation>
    </message>
    <message>
        <source>Dismiss the selected change</source>
        <translation>移除所选的被拒修改</translation>
    </message>
    <message>
        <source>Fields</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>走访记录</translation>
    </message>
    <message>
        <source>Clue</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Photo or signature</source>
        <translation>照片或签名</translation>
    </message>
    <message>
        <source>Syncing with the server…</source>
        <translation>正在与服务器同步…</translation>
    </message>
    <message>
        <source>The server is reachable.</source>
        <translation>服务器连接正常。</translation>
    </message>
    <message>
        <source>Working offline. Changes are kept on this laptop until the next sync.</source>
        <translation>离线工作中。修改保存在本机，下次同步时上传。</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Changes waiting to be sent: %1</source>
        <translation>待上传修改：%1</translation>
    </message>
    <message>
        <source>Conflicts to resolve: %1</source>
        <translation>待处理冲突：%1</translation>
    </message>
    <message>
        <source>Rejected changes: %1</source>
        <translation>被拒绝的修改：%1</translation>
    </message>
    <message>
        <source>Last synced: %1</source>
        <translation>上次同步：%1</translation>
    </message>
</context>
<context>
    <name>SyncStatusWidget</name>
    <message>
        <source>Syncing…</source>
        <translation>同步中…</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) waiting</source>
        <translation>
            <numerusform>%n 项待上传</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing waiting</source>
        <translation>无待上传</translation>
    </message>
    <message numerus="yes">
        <source>%n conflict(s) to resolve</source>
        <translation>
            <numerusform>%n 项冲突待处理</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) refused</source>
        <translation>
            <numerusform>%n 项修改被拒绝</numerusform>
        </translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>尚未同步</translation>
    </message>
    <message>
        <source>Last synced %1</source>
        <translation>上次同步 %1</translation>
    </message>
    <message>
        <source>Offline lease lapsed: sync to continue</source>
        <translation>离线授权已过期，请同步后继续</translation>
    </message>
    <message>
        <source>Offline lease until %1</source>
        <translation>离线授权至 %1</translation>
    </message>
    <message>
        <source>{day} {month_name} {time}</source>
        <translation>{month}月{day}日 {time}</translation>
    </message>
</context>
<context>
    <name>TasksPage</name>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Tasks</source>
        <extracomment>(export kind) -&gt; (suggested file name, writer) (caption, suggested name) -&gt; chosen path or &quot;&quot; (a file dialog; tests put a function here)</extracomment>
        <translation>核查任务</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Assigned to</source>
        <translation>承办</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>截止日期</translation>
    </message>
    <message>
        <source>Visited</source>
        <translation>已走访</translation>
    </message>
    <message>
        <source>New task from a filter</source>
        <translation>按条件新建任务</translation>
    </message>
    <message>
        <source>Assign to</source>
        <translation>指派给</translation>
    </message>
    <message>
        <source>Only households due for review</source>
        <translation>仅限到期复核的家庭</translation>
    </message>
    <message>
        <source>A worker (user id)</source>
        <translation>工作人员（用户编号）</translation>
    </message>
    <message>
        <source>An agency (agency id)</source>
        <translation>第三方机构（机构编号）</translation>
    </message>
    <message>
        <source>Create task</source>
        <translation>创建任务</translation>
    </message>
    <message>
        <source>Create from a list (.xlsx/.csv)…</source>
        <translation>按名单创建（.xlsx/.csv）…</translation>
    </message>
    <message>
        <source>One ID number or household id per row (first column); the task is created only when every row names a household of your area.</source>
        <translation>每行一个身份证号或户编号（第一列）；只有每一行都对应辖区内的家庭时才会创建任务。</translation>
    </message>
    <message>
        <source>Selected task</source>
        <translation>选中的任务</translation>
    </message>
    <message>
        <source>Staff user ids, separated by commas</source>
        <translation>工作人员用户编号，以逗号分隔</translation>
    </message>
    <message>
        <source>Split among staff</source>
        <translation>分派给工作人员</translation>
    </message>
    <message>
        <source>Close task</source>
        <translation>关闭任务</translation>
    </message>
    <message>
        <source>Exports</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Ledger (Excel)</source>
        <translation>台账（Excel）</translation>
    </message>
    <message>
        <source>Public-notice list</source>
        <translation>公示名单</translation>
    </message>
    <message>
        <source>Clue ledger</source>
        <translation>线索台账</translation>
    </message>
    <message>
        <source>Agency %1</source>
        <translation>机构 %1</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Choose a grid and whom to assign the task to.</source>
        <translation>请选择网格并填写任务承办人。</translation>
    </message>
    <message>
        <source>Choose whom to assign the task to.</source>
        <translation>请填写任务承办人。</translation>
    </message>
    <message>
        <source>Open a list of ID numbers or households</source>
        <translation>打开身份证号或户编号名单</translation>
    </message>
    <message numerus="yes">
        <source>No task was created: %n row(s) of the list cannot be used. Correct them and import the list again.</source>
        <translation>
            <numerusform>未创建任务：名单中有 %n 行无法使用，请更正后重新导入。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Task created with %n household(s).</source>
        <translation>
            <numerusform>任务已创建，共 %n 户。</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a task and enter the staff to share it among.</source>
        <translation>请选择任务并填写分派的工作人员。</translation>
    </message>
    <message>
        <source>Save export</source>
        <translation>保存导出文件</translation>
    </message>
    <message>
        <source>Saved: %1</source>
        <translation>已保存：%1</translation>
    </message>
</context>
<context>
    <name>UnlockPage</name>
    <message>
        <source>Unlocking…</source>
        <translation>正在解锁…</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Jiafang is locked. Enter your password to continue.</source>
        <translation>家访已锁定。请输入密码继续。</translation>
    </message>
    <message numerus="yes">
        <source>Jiafang locked itself after %n minute(s) without use. Enter your password to continue.</source>
        <translation>
            <numerusform>已连续 %n 分钟无操作，家访已自动锁定。请输入密码继续。</numerusform>
        </translation>
    </message>
    <message>
        <source>Unlock Jiafang</source>
        <translation>解锁家访</translation>
    </message>
    <message>
        <source>Choose your account and enter your password. No network is needed.</source>
        <translation>请选择账号并输入密码，无需联网。</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Register another account…</source>
        <translation>登记其他账号…</translation>
    </message>
    <message>
        <source>Sign in online</source>
        <translation>联网登录</translation>
    </message>
    <message>
        <source>Too many wrong passwords. Connect to the network and sign in online with your password to unlock this laptop.</source>
        <translation>密码错误次数过多。请连接网络，使用密码联网登录后解锁本机。</translation>
    </message>
    <message numerus="yes">
        <source>Too many wrong passwords. Try again in %n second(s).</source>
        <translation>
            <numerusform>密码错误次数过多，请 %n 秒后再试。</numerusform>
        </translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
</context>
<context>
    <name>VisitFormPage</name>
    <message>
        <source>Recovered unsaved changes</source>
        <translation>已恢复未保存的修改</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Draft autosaved %1</source>
        <translation>草稿已自动保存 %1</translation>
    </message>
    <message>
        <source>1 Basics</source>
        <translation>1 基本信息</translation>
    </message>
    <message>
        <source>2 Members</source>
        <translation>2 家庭成员</translation>
    </message>
    <message>
        <source>3 Incomes</source>
        <translation>3 收入</translation>
    </message>
    <message>
        <source>4 Assets</source>
        <translation>4 财产</translation>
    </message>
    <message>
        <source>5 Expenses</source>
        <translation>5 刚性支出</translation>
    </message>
    <message>
        <source>6 Living conditions</source>
        <translation>6 生活状况</translation>
    </message>
    <message>
        <source>7 Photos and signatures</source>
        <translation>7 照片和签名</translation>
    </message>
    <message>
        <source>8 Finding</source>
        <translation>8 核查结论</translation>
    </message>
    <message>
        <source>Visit: %1</source>
        <translation>走访：%1</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Save draft</source>
        <translation>保存草稿</translation>
    </message>
    <message>
        <source>Complete visit</source>
        <translation>完成走访</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Discard typing</source>
        <translation>放弃填写</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>有未保存的修改</translation>
    </message>
    <message numerus="yes">
        <source>%n field(s) to correct</source>
        <translation>
            <numerusform>%n 处需要修改</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n signature(s) missing</source>
        <translation>
            <numerusform>还缺 %n 个签名</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WorkspaceWidget</name>
    <message>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <source>Households</source>
        <translation>家庭</translation>
    </message>
    <message>
        <source>Clues</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>Signed in: %1</source>
        <translation>当前用户：%1</translation>
    </message>
    <message>
        <source>Lock now</source>
        <translation>立即锁定</translation>
    </message>
</context>
</TS>
